// Runs every suite (type check, lint, format check, then vitest's unit, db and e2e projects) and ends with the plain
// summary line "N passed, N failed[, N skipped]" totalled over all of them, so CI shows a run
// that executed nothing. Extra arguments go to vitest (e.g. a project or a file filter).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = path.join(root, 'tests', 'artifacts', 'vitest-report.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });

const typecheck = spawnSync('npx', ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
// the house rules (layering, see eslint.config.mjs) and the format: each a failed check of its own
const lint = spawnSync('npx', ['--no-install', 'eslint', '--max-warnings', '0', '.'], { cwd: root, stdio: 'inherit' });
const format = spawnSync('npx', ['--no-install', 'prettier', '--check', '--log-level', 'warn', '.'], { cwd: root, stdio: 'inherit' });
if (format.status !== 0) console.log('prettier: the files above are not formatted; run npx prettier --write .');
const vitest = spawnSync(
  'npx',
  ['--no-install', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

let passed = 0;
let failed = [typecheck, lint, format].filter((check) => check.status !== 0).length;
let skipped = 0;
if (fs.existsSync(report)) {
  const result = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  // a file that failed to load has no tests to count but must still fail the run
  failed += result.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
} else {
  failed += 1;
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
