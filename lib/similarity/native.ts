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

/** Rows and columns a join is limited to: pairs i < j with i in [rowStart, rowEnd) and j in [colStart, colEnd). */
export interface PairRange {
  rowStart: number;
  rowEnd: number;
  colStart: number;
  colEnd: number;
}

/** facesift_similarity, built with faiss-node by scripts/build-faiss.sh (sources in scripts/faiss/). */
export interface NativeSimilarity {
  /** OpenMP threads (OMP_NUM_THREADS, else all cores), fixed at process start. */
  threads: number;
  /** The instruction-set build in use (the fastest this CPU runs, unless changed) and the ones available. */
  kernels(): { active: string; available: string[] };
  /** Switches to another available build, e.g. to compare them. */
  useKernels(name: string): void;
  /**
   * Pairs i < j with sim >= (labels differ ? crossThreshold : sameThreshold), in a deterministic order; stored up to maxPairs,
   * counted beyond. With a range, only its pairs (indices stay those of `vectors`).
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
      loaded = withRanges(require('faiss-node/build/Release/facesift_similarity.node') as NativeSimilarity);
    } catch (cause) {
      throw new Error('the similarity addon is not built; run: bash scripts/build-faiss.sh', { cause });
    }
  }
  return loaded;
}

const HISTOGRAM_BINS = 201;

/**
 * An addon without ranges joins the range's rows and columns whole and the range's pairs are picked
 * out: the same pairs and similarities (each is one dot product, wherever it is computed), at up to
 * twice the work for a tile off the diagonal.
 */
function withRanges(addon: NativeSimilarity): NativeSimilarity {
  const whole = addon.pairsAbove;
  const pairsAbove: NativeSimilarity['pairsAbove'] = async (vectors, dim, labels, crossThreshold, sameThreshold, maxPairs, range) => {
    if (!range) return whole(vectors, dim, labels, crossThreshold, sameThreshold, maxPairs);
    const { rowStart, rowEnd, colStart, colEnd } = range;
    const diagonal = rowStart === colStart && rowEnd === colEnd;
    const rows = rowEnd - rowStart;
    const n = diagonal ? rows : rows + colEnd - colStart;
    const subVectors = diagonal ? vectors.subarray(rowStart * dim, rowEnd * dim) : new Float32Array(n * dim);
    const subLabels = diagonal ? labels.subarray(rowStart, rowEnd) : new Int32Array(n);
    if (!diagonal) {
      subVectors.set(vectors.subarray(rowStart * dim, rowEnd * dim));
      subVectors.set(vectors.subarray(colStart * dim, colEnd * dim), rows * dim);
      subLabels.set(labels.subarray(rowStart, rowEnd));
      subLabels.set(labels.subarray(colStart, colEnd), rows);
    }
    const raw = await whole(subVectors, dim, subLabels, crossThreshold, sameThreshold, 2_000_000_000);
    const keep: number[] = [];
    for (let p = 0; p < raw.i.length; p++) if (diagonal || (raw.i[p] < rows && raw.j[p] >= rows)) keep.push(p);
    const stored = Math.min(keep.length, maxPairs);
    const out: RawPairs = { i: new Int32Array(stored), j: new Int32Array(stored), sim: new Float32Array(stored), qualifying: keep.length, crossHistogram: new Float64Array(HISTOGRAM_BINS) };
    keep.forEach((p, q) => {
      const s = raw.sim[p];
      if (subLabels[raw.i[p]] !== subLabels[raw.j[p]]) out.crossHistogram[Math.min(200, Math.max(0, Math.floor(Math.fround(s * 100)) + 100))]++;
      if (q >= stored) return;
      out.i[q] = rowStart + raw.i[p];
      out.j[q] = diagonal ? rowStart + raw.j[p] : colStart + raw.j[p] - rows;
      out.sim[q] = s;
    });
    return out;
  };
  return { ...addon, pairsAbove };
}
