export {
  type EmbedInput,
  type EmbedMode,
  type EmbedResult,
  type EmbedStatus,
  type EmbedderOptions,
  type InferenceTiming,
  type RawInferenceReport,
  EMBED_MODES,
  Embedder,
  createEmbedder,
  isTightCropShape,
} from './embedder';
export { type DecodeFailureCode, type DecodeResult, type RgbImage, DEFAULT_MAX_INPUT_PIXELS, decodeToRgb } from './decode';
export { type ModelPreset, type PresetName, PRESETS, PRESET_NAMES, getPreset, isPresetName } from './presets';
export { DEFAULT_MODEL_FILES, FETCH_MODEL_COMMAND, ModelMissingError, defaultModelPaths } from './models';
export { type SessionConfig } from './sessions';
