// The review queue at full dataset scale (57,637 faces, 1,291 folders): a curator who knows the truth follows GET /api/review/next on
// a seeded synthetic dataset (57,637 faces, 1,291 folders, planted splits, misfiled images, copies and
// look-alikes) and answers through the decision routes until the queue is empty. Prints the findings
// planted, the verdicts given, the verdicts until the fix list held every planted mistake, and the
// fix list's precision; the peer is the same walk at a quarter of the scale, as the test suite runs it.
// Run: npx tsx tests/bench/review-curator.ts [--quarter-only]
import { parseArgs } from 'node:util';
import { closeDb } from '@/lib/db';
import { createTestDatabase } from '../support/database';
import { resetDatabase } from '../support/reset';
import {
  printCuratorReport,
  runScriptedCurator,
  searchReviewDataset,
  seedReviewDataset,
  SEED_SCALE,
  QUARTER_SCALE,
  type ReviewDatasetOptions,
} from '../support/review-dataset';

async function walk(label: string, options: ReviewDatasetOptions) {
  await resetDatabase();
  const started = Date.now();
  const truth = await seedReviewDataset(options);
  const seeded = Date.now();
  const summary = await searchReviewDataset();
  const searched = Date.now();
  const report = await runScriptedCurator(truth, 20_000, (line) => process.stderr.write(`${line}\n`));
  const walked = Date.now();
  printCuratorReport(
    `${label}: ${options.images.toLocaleString('en')} faces, ${options.folders} folders, ${summary.crossIdentityPairs.toLocaleString('en')} cross pairs, ${summary.nearDuplicates} near-duplicates`,
    report,
  );
  console.log(
    `  seeded in ${((seeded - started) / 1000).toFixed(1)} s, searched (with findings) in ${((searched - seeded) / 1000).toFixed(1)} s, ` +
      `walked in ${((walked - searched) / 1000).toFixed(1)} s (${((walked - searched) / Math.max(1, report.verdicts)).toFixed(0)} ms per verdict with its next item)`,
  );
}

async function main() {
  const { values } = parseArgs({ options: { 'quarter-only': { type: 'boolean', default: false } } });
  const database = await createTestDatabase('facesift_review');
  process.env.DATABASE_URL = database.url;
  try {
    await walk('quarter scale (as in the test suite)', QUARTER_SCALE);
    if (!values['quarter-only']) await walk('seed scale', SEED_SCALE);
  } finally {
    await closeDb();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
