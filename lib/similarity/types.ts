/**
 * The matrix every similarity function works on: one L2-normalised row per image, rows of the same
 * person folder sharing a label. Labels are identity indexes 0..identities-1, so per-identity
 * arrays are indexed by them directly; an index with no rows is allowed.
 */
export interface EmbeddingSet {
  /** n * dim floats, row-major. */
  vectors: Float32Array;
  dim: number;
  /** Identity (person folder) index of each row. */
  labels: Int32Array;
}

/** Image pairs as parallel typed arrays: millions of pairs stay cheap to hold and hand on. */
export interface PairList {
  /** Row of the first image; always < j. */
  i: Int32Array;
  j: Int32Array;
  /** Cosine similarity (inner product of the normalised rows) at float32 accuracy. */
  sim: Float32Array;
}

/** Checks the shape of a set and returns its row and identity counts. */
export function describeSet(set: EmbeddingSet): { rows: number; identities: number } {
  const { vectors, dim, labels } = set;
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (vectors.length !== labels.length * dim) {
    throw new RangeError(`vectors holds ${vectors.length} floats, expected labels.length * dim = ${labels.length * dim}`);
  }
  let identities = 0;
  for (let r = 0; r < labels.length; r++) {
    const label = labels[r];
    if (label < 0) throw new RangeError(`row ${r} has a negative label`);
    if (label >= identities) identities = label + 1;
  }
  return { rows: labels.length, identities };
}
