import { beforeEach, describe, expect, it } from 'vitest';
import { printCuratorReport, runScriptedCurator, searchReviewDataset, seedReviewDataset, type ReviewDatasetOptions } from '../support/review-dataset';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

/** The seed's proportions at a quarter of its size, so the walk fits a CI run (tests/bench/review-curator.ts runs it whole). */
const QUARTER: ReviewDatasetOptions = {
  folders: 323,
  images: 14_400,
  seed: 3,
  lookalikePairs: 20,
  splits: 8,
  shiftedSplits: 3,
  misfiled: 40,
  misfiledFromLookalike: 14,
  exactCopies: 10,
  nearCopies: 10,
};

describe('the review queue, walked by a curator who knows the truth', () => {
  it('puts every planted mistake in the fix list within 1.2 verdicts per finding and empties within 2, with no wrong action', async () => {
    const truth = await seedReviewDataset(QUARTER);
    await searchReviewDataset();
    const report = await runScriptedCurator(truth, 4000, console.log);
    printCuratorReport(`${QUARTER.images.toLocaleString('en')} faces, ${QUARTER.folders} folders`, report);
    expect(report.queueEmpty).toBe(true);
    expect(report.fixList.wrong).toEqual([]);
    expect(report.fixList.fixed).toBe(report.fixList.planted);
    expect(report.verdictsUntilFixListComplete).toBeLessThanOrEqual(1.2 * report.findingsPlanted);
    expect(report.verdicts).toBeLessThanOrEqual(2 * report.findingsPlanted);
    expect(report.openPairsOnMistakes).toBe(0);
  });
});
