// Embedding throughput: the whole pipeline (read + decode + detect + landmarks + align + recognise,
// batched) next to the pure ONNX inference of the same models on the same inputs, in the same run.
// Run: npx tsx tests/bench/embed-core.ts [--images 1000] [--mode detect|aligned|auto|all]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { type EmbedInput, type EmbedMode, type RawInferenceReport, createEmbedder } from '@/lib/embedding';
import { createRng } from '@/lib/similarity/synthetic';

export const SAMPLE_DIR = path.join(process.cwd(), 'tests', 'fixtures', 'faces-bbt');

export interface ReplicatedImage {
  person: string;
  /** Relative to the replica's root: <person>/<file>. */
  relativePath: string;
  absolutePath: string;
}

export interface ReplicateOptions {
  /** How many images to write in total (spread evenly over the sample's images). */
  count: number;
  /** Folder to fill with <person>/<image>.png; created if missing. */
  outDir: string;
  sourceDir?: string;
  /** Same seed, same bytes: repeated benches compare like with like. */
  seed?: number;
}

/**
 * Writes `count` variants of the sample dataset (root/<person>/<image>.png) into outDir: each a copy
 * of a sample image with a small random crop (up to 6% per side) resized back, and brightness x0.85-1.15,
 * so that every file has different bytes and a different embedding while staying the same person.
 */
export async function replicateSample(options: ReplicateOptions): Promise<ReplicatedImage[]> {
  const sourceDir = options.sourceDir ?? SAMPLE_DIR;
  const random = createRng(options.seed ?? 1);
  const sources: { person: string; file: string }[] = [];
  for (const person of fs.readdirSync(sourceDir).sort()) {
    const dir = path.join(sourceDir, person);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (/\.(png|jpe?g|webp)$/i.test(file)) sources.push({ person, file });
    }
  }
  if (sources.length === 0) throw new Error(`no sample images in ${sourceDir}`);
  const out: ReplicatedImage[] = [];
  for (let n = 0; n < options.count; n++) {
    const { person, file } = sources[n % sources.length];
    const variant = Math.floor(n / sources.length);
    const input = path.join(sourceDir, person, file);
    const { width = 0, height = 0, channels } = await sharp(input).metadata();
    const cut = () => Math.floor(random() * 0.06 * Math.min(width, height));
    const left = cut(),
      right = cut(),
      top = cut(),
      bottom = cut();
    const brightness = 0.85 + random() * 0.3;
    const relativePath = path.join(person, `${path.parse(file).name}-v${variant}.png`);
    const absolutePath = path.join(options.outDir, relativePath);
    fs.mkdirSync(path.dirname(absolutePath), { recursive: true });
    await sharp(input)
      .extract({ left, top, width: width - left - right, height: height - top - bottom })
      .resize(width, height)
      .modulate({ brightness })
      // Keep greyscale sources greyscale, like the dataset being imitated.
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .png()
      .toFile(absolutePath);
    out.push({ person, relativePath, absolutePath });
  }
  return out;
}

interface ModeReport {
  mode: EmbedMode;
  images: number;
  pipelineSeconds: number;
  raw: RawInferenceReport;
  statuses: Record<string, number>;
}

/**
 * Other work on the machine shifts both numbers, so the images are measured in rounds that alternate
 * which of the two goes first, and each total is summed over the rounds.
 */
const ROUNDS = 10;

async function benchMode(mode: EmbedMode, images: ReplicatedImage[]): Promise<ModeReport> {
  const embedder = await createEmbedder({ mode });
  const inputs = (from: ReplicatedImage[]): EmbedInput[] => from.map((im) => ({ key: im.relativePath, path: im.absolutePath }));
  const raw: RawInferenceReport = {
    images: 0,
    seconds: 0,
    detector: { seconds: 0, images: 0 },
    landmarks: { seconds: 0, images: 0 },
    recogniser: { seconds: 0, images: 0 },
  };
  const statuses: Record<string, number> = {};
  let pipelineSeconds = 0;
  const runPipeline = async (chunk: ReplicatedImage[]) => {
    const t0 = performance.now();
    for await (const batch of embedder.embedStream(inputs(chunk))) {
      for (const r of batch) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }
    pipelineSeconds += (performance.now() - t0) / 1000;
  };
  const runRaw = async (chunk: ReplicatedImage[]) => {
    const r = await embedder.measureRawInference(inputs(chunk));
    raw.images += r.images;
    raw.seconds += r.seconds;
    for (const stage of ['detector', 'landmarks', 'recogniser'] as const) {
      raw[stage].seconds += r[stage].seconds;
      raw[stage].images += r[stage].images;
    }
  };
  try {
    // Warm up: the first runs allocate ORT's arenas and compile the JS hot paths.
    await embedder.embedAll(inputs(images.slice(0, 64)));
    const size = Math.ceil(images.length / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      const chunk = images.slice(round * size, (round + 1) * size);
      if (round % 2 === 0) {
        await runRaw(chunk);
        await runPipeline(chunk);
      } else {
        await runPipeline(chunk);
        await runRaw(chunk);
      }
    }
    return { mode, images: images.length, pipelineSeconds, raw, statuses };
  } finally {
    await embedder.close();
  }
}

function report(r: ModeReport): void {
  const rate = (n: number, s: number) => (s > 0 ? n / s : 0);
  const pipeline = rate(r.images, r.pipelineSeconds);
  const raw = rate(r.images, r.raw.seconds);
  const models = r.mode === 'aligned' ? 'recogniser' : 'detector + landmarks + recogniser';
  console.log(`\nmode ${r.mode} (${models}), ${r.images} images, statuses ${JSON.stringify(r.statuses)}`);
  console.log(`  pipeline       ${pipeline.toFixed(1).padStart(7)} img/s  (${r.pipelineSeconds.toFixed(2)} s)`);
  console.log(`  raw ONNX       ${raw.toFixed(1).padStart(7)} img/s  (${r.raw.seconds.toFixed(2)} s in run())`);
  for (const stage of ['detector', 'landmarks', 'recogniser'] as const) {
    const s = r.raw[stage];
    if (s.images > 0) {
      console.log(`    ${stage.padEnd(11)} ${rate(s.images, s.seconds).toFixed(1).padStart(7)} img/s  (${s.seconds.toFixed(2)} s)`);
    }
  }
  const ratio = raw > 0 ? pipeline / raw : 0;
  console.log(`  ratio          ${(ratio * 100).toFixed(1).padStart(6)} %  (target >= 85 %)`);
}

function parseArgs(argv: string[]): { count: number; modes: EmbedMode[] } {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const count = Number(get('--images') ?? 1000);
  const mode = get('--mode') ?? 'all';
  const modes: EmbedMode[] = mode === 'all' ? ['detect', 'aligned'] : [mode as EmbedMode];
  return { count, modes };
}

async function main(): Promise<void> {
  const { count, modes } = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-bench-'));
  try {
    const t0 = performance.now();
    const images = await replicateSample({ count, outDir: dir });
    console.log(`replicated ${images.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${dir}`);
    console.log(`cpus ${os.cpus().length}, node ${process.version}`);
    for (const mode of modes) report(await benchMode(mode, images));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Importable (for replicateSample) without running the bench; tsx runs this file as CommonJS.
if (typeof require !== 'undefined' && require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
