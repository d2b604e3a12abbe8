import * as ort from 'onnxruntime-node';

export interface SessionConfig {
  /** Threads one inference may use; 2 by default (env FACESIFT_INTRA_OP_THREADS). */
  intraOpThreads?: number;
  /**
   * Execution providers in order of preference, e.g. ['cuda', 'cpu'] on a user's GPU machine. Default from
   * env FACESIFT_EXECUTION_PROVIDER (comma-separated; 'cpu' is always appended as the fallback), else ['cpu'].
   */
  executionProviders?: string[];
}

export interface ResolvedSessionConfig {
  intraOpThreads: number;
  executionProviders: string[];
}

export function resolveSessionConfig(config: SessionConfig = {}): ResolvedSessionConfig {
  const envThreads = Number(process.env.FACESIFT_INTRA_OP_THREADS);
  const intraOpThreads = config.intraOpThreads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : 2);
  const fromEnv = (process.env.FACESIFT_EXECUTION_PROVIDER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const preferred = config.executionProviders ?? fromEnv;
  const executionProviders = [...new Set([...preferred, 'cpu'])];
  // ORT silently skips names it does not know, so a typo would quietly fall back to the CPU.
  const known = ort.listSupportedBackends().map((b) => b.name);
  const unknown = executionProviders.filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    throw new Error(`unknown execution provider ${unknown.join(', ')}; this onnxruntime-node knows ${known.join(', ')}`);
  }
  return { intraOpThreads, executionProviders };
}

export async function createSession(model: string | Uint8Array, config: ResolvedSessionConfig): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: config.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    executionProviders: config.executionProviders,
  };
  try {
    return typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const where = typeof model === 'string' ? model : 'the in-memory model';
    const gpuHint = config.executionProviders.some((p) => p !== 'cpu')
      ? ` (execution providers: ${config.executionProviders.join(', ')}; unset FACESIFT_EXECUTION_PROVIDER to use the CPU)`
      : '';
    throw new Error(`cannot load ONNX model ${where}${gpuHint}: ${message}`, { cause: err });
  }
}

export { ort };
