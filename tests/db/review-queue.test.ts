import { beforeEach, describe, expect, it } from 'vitest';
import { printCuratorReport, runScriptedCurator, searchReviewDataset, seedReviewDataset, QUARTER_SCALE } from '../support/review-dataset';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

describe('the review queue, walked by a curator who knows the truth', () => {
  it('puts every planted mistake in the fix list within 1.2 verdicts per finding and empties within 2, with no wrong action', async () => {
    const truth = await seedReviewDataset(QUARTER_SCALE);
    await searchReviewDataset();
    const report = await runScriptedCurator(truth, 4000);
    printCuratorReport(`${QUARTER_SCALE.images.toLocaleString('en')} faces, ${QUARTER_SCALE.folders} folders`, report);
    expect(report.queueEmpty).toBe(true);
    expect(report.fixList.wrong).toEqual([]);
    expect(report.fixList.fixed).toBe(report.fixList.planted);
    expect(report.verdictsUntilFixListComplete).toBeLessThanOrEqual(1.2 * report.findingsPlanted);
    expect(report.verdicts).toBeLessThanOrEqual(2 * report.findingsPlanted);
    expect(report.openPairsOnMistakes).toBe(0);
  }, 600_000);
});
