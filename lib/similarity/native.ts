import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '@/lib/paths';

export interface RawPairs {
  /** The qualifying pairs in increasing (i, j), unless there were more than maxPairs (then only some of them). */
  i: Int32Array;
  j: Int32Array;
  sim: Float32Array;
  /** Exact number of qualifying pairs, stored or not. */
  qualifying: number;
  /** Qualifying cross-identity pairs per 0.01 of similarity: index floor(sim * 100) + 100, clamped to 0..200. */
  crossHistogram: Float64Array;
}

/** One tile of the join: rows [rowStart, rowEnd) against columns [colStart, colEnd), indexes into the vectors. */
export interface PairRange {
  rowStart?: number;
  rowEnd?: number;
  colStart?: number;
  colEnd?: number;
}

/** facesift's own addon (native/), built at set-up by scripts/build-native.sh. */
export interface NativeSimilarity {
  /** OpenMP threads (OMP_NUM_THREADS, else all cores), fixed at process start. */
  threads: number;
  /**
   * The join path in use (the fastest this CPU runs, unless changed) and the ones available, fastest first:
   * int8-avx512vnni, int8-avx2, float32-avx512, float32-avx2, int8-scalar, float32-scalar.
   */
  kernels(): { active: string; available: string[] };
  /**
   * Operations (a multiply-add is two) per CPU-second of the active path's inner-loop instructions on
   * registers alone, summed over the threads (about `seconds` each): the ceiling a join is compared with.
   */
  peakOps(seconds?: number): number;
  /** Switches to another available path, e.g. to compare them (FACESIFT_KERNELS does it at load). */
  useKernels(name: string): void;
  /**
   * Pairs i < j with sim >= (labels differ ? crossThreshold : sameThreshold), in increasing (i, j);
   * stored up to maxPairs, counted beyond. With a range, only rowStart <= i < rowEnd and
   * colStart <= j < colEnd (defaults: the whole matrix), so a worker holding just a row block and a
   * column block (concatenated) computes their tile.
   */
  pairsAbove(
    vectors: Float32Array,
    dim: number,
    labels: Int32Array,
    crossThreshold: number,
    sameThreshold: number,
    maxPairs: number,
    range?: PairRange,
  ): Promise<RawPairs>;
  /** Per row, the most similar centroid other than the row's own label (-1 / NaN when none). */
  nearestOtherCentroid(vectors: Float32Array, dim: number, labels: Int32Array, centroids: Float32Array): Promise<{ label: Int32Array; sim: Float32Array }>;
  /** Per row, the mean of its k highest similarities within its group (NaN when alone). */
  groupTopMean(vectors: Float32Array, dim: number, order: Int32Array, offsets: Int32Array, k: number): Promise<Float32Array>;
}

let loaded: NativeSimilarity | undefined;

export function nativeSimilarity(): NativeSimilarity {
  if (!loaded) {
    // An absolute path from the checkout, required at run time: bundlers (Next's server build)
    // leave the binary where set-up built it.
    const addon = path.join(/*turbopackIgnore: true*/ projectRoot, 'native', 'build', 'Release', 'facesift_similarity.node');
    try {
      loaded = createRequire(import.meta.url)(/*turbopackIgnore: true*/ addon) as NativeSimilarity;
    } catch (cause) {
      throw new Error(`the similarity addon is not built (${addon}); run: bash scripts/build-native.sh`, { cause });
    }
    // Lets a benchmark or a user pin the join to one instruction path (see kernels().available).
    const forced = process.env.FACESIFT_KERNELS;
    if (forced) loaded.useKernels(forced);
  }
  return loaded;
}
