/**
 * Counts kept as ledgers (PairStatusCount, ReviewerCount): writers append a row per change, so no
 * two of them wait on one counter row, and readers sum. A reader that finds more rows than this
 * folds them back into one per key, which keeps every read short.
 */
const ENTRIES_BEFORE_FOLDING = 1000;

/** Folds the ledger that `sums` were read from when they were summed from too many rows. */
export async function foldWhenLong(sums: { entries: number }[], fold: () => Promise<void>): Promise<void> {
  if (sums.reduce((total, sum) => total + sum.entries, 0) > ENTRIES_BEFORE_FOLDING) await fold();
}
