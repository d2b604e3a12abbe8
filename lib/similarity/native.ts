import { createRequire } from 'node:module';

export interface RawPairs {
  /** The qualifying pairs, unless there were more than maxPairs (then a truncated prefix). */
  i: Int32Array;
  j: Int32Array;
  sim: Float32Array;
  /** Exact number of qualifying pairs, stored or not. */
  qualifying: number;
  /** Qualifying cross-identity pairs per 0.01 of similarity: index floor(sim * 100) + 100, clamped to 0..200. */
  crossHistogram: Float64Array;
}

/** facesift_similarity, built with faiss-node by scripts/build-faiss.sh (sources in scripts/faiss/). */
export interface NativeSimilarity {
  /** OpenMP threads (OMP_NUM_THREADS, else all cores), fixed at process start. */
  threads: number;
  /** The instruction-set build in use (the fastest this CPU runs, unless changed) and the ones available. */
  kernels(): { active: string; available: string[] };
  /** Switches to another available build, e.g. to compare them. */
  useKernels(name: string): void;
  /** Pairs i < j with sim >= (labels differ ? crossThreshold : sameThreshold), in a deterministic order; stored up to maxPairs, counted beyond. */
  pairsAbove(
    vectors: Float32Array,
    dim: number,
    labels: Int32Array,
    crossThreshold: number,
    sameThreshold: number,
    maxPairs: number,
  ): Promise<RawPairs>;
  /** Per row, the most similar centroid other than the row's own label (-1 / NaN when none). */
  nearestOtherCentroid(
    vectors: Float32Array,
    dim: number,
    labels: Int32Array,
    centroids: Float32Array,
  ): Promise<{ label: Int32Array; sim: Float32Array }>;
  /** Per row, the mean of its k highest similarities within its group (NaN when alone). */
  groupTopMean(vectors: Float32Array, dim: number, order: Int32Array, offsets: Int32Array, k: number): Promise<Float32Array>;
}

let loaded: NativeSimilarity | undefined;

export function nativeSimilarity(): NativeSimilarity {
  if (!loaded) {
    // Resolved at run time through node_modules, so bundlers leave the binary alone
    // (faiss-node must be in Next's serverExternalPackages).
    const require = createRequire(import.meta.url);
    try {
      loaded = require('faiss-node/build/Release/facesift_similarity.node') as NativeSimilarity;
    } catch (cause) {
      throw new Error('the similarity addon is not built; run: bash scripts/build-faiss.sh', { cause });
    }
  }
  return loaded;
}
