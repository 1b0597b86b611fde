/**
 * `npm run test:unit`: node's test runner over test/**\/*.test.ts (or the files given), with the machine's
 * prerequisites checked first (test/helpers/prerequisites.ts). A file declaring `// @needs ...` that this
 * machine cannot satisfy is skipped with one line naming the Debian packages (and root); the run ends with
 * what was skipped and how to enable it, then one closing line `tests: N passed, N failed, N skipped`.
 * With CI=true nothing is skipped for a missing prerequisite: every file runs and the run fails.
 */
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import {
  describeMissing,
  howToEnable,
  knownNeeds,
  missingNeeds,
  parseNeeds,
  strict,
  type Need,
} from '../test/helpers/prerequisites.ts';

interface Skipped {
  reason: string;
  /** Whole files skipped by the runner, or tests that skipped themselves. */
  files: Set<string>;
  tests: number;
  missing: Need[];
}

const args = process.argv.slice(2);
const files = (args.length > 0 ? args : globSync('test/**/*.test.ts')).sort();
const ci = strict();
const skipped = new Map<string, Skipped>();
/** One entry per reason, files skipped whole apart from tests that skipped themselves. */
const note = (reason: string, missing: Need[], file: string | null, whole: boolean): Skipped => {
  const key = `${whole ? 'file' : 'test'}|${reason}`;
  let s = skipped.get(key);
  if (!s) skipped.set(key, (s = { reason, files: new Set(), tests: 0, missing }));
  if (file !== null) s.files.add(file);
  return s;
};

const runnable: string[] = [];
let missingInCi = 0;
for (const file of files) {
  const { needs, unknown } = parseNeeds(readFileSync(file, 'utf8'));
  if (unknown.length > 0) {
    console.error(`${file}: @needs names ${unknown.join(', ')}; known needs: ${knownNeeds.join(', ')}`);
    process.exit(64);
  }
  const missing = await missingNeeds(needs);
  if (missing.length === 0) {
    runnable.push(file);
    continue;
  }
  const reason = describeMissing(missing);
  if (ci) {
    console.log(`✖ ${file}: CI=true and a prerequisite is missing: ${reason}`);
    missingInCi++;
    runnable.push(file);
    continue;
  }
  note(reason, missing, file, true);
  console.log(`﹣ ${file} # SKIP ${reason}`);
}

// Tests that skip themselves (skipUnless) write what they missed here, for the "To run them" list.
const logDir = mkdtempSync(join(tmpdir(), 'floatip-prereq-'));
const prereqLog = join(logDir, 'missing.jsonl');
process.env.FLOATIP_TEST_PREREQ_LOG = prereqLog;

let passed = 0;
let failed = 0;
let skippedTests = 0;
const stream = run({ files: runnable, concurrency: 2, timeout: 300_000, isolation: 'process' });
type Ev = { name: string; file?: string; skip?: string | boolean; details?: { type?: string } };
stream.on('test:pass', (e: Ev) => {
  if (e.details?.type === 'suite') return;
  if (e.skip === undefined || e.skip === false) {
    passed++;
    return;
  }
  skippedTests++;
  const reason = typeof e.skip === 'string' ? e.skip : 'skipped';
  const s = note(reason, [], null, false);
  s.tests++;
  if (e.file) s.files.add(relative(process.cwd(), e.file));
});
stream.on('test:fail', (e: Ev) => {
  if (e.details?.type !== 'suite') failed++;
});
stream.compose(spec).pipe(process.stdout);
await new Promise<void>((resolve) => stream.once('end', resolve));
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));

const inTests: Need[] = existsSync(prereqLog)
  ? readFileSync(prereqLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => JSON.parse(l) as Need[])
  : [];
rmSync(logDir, { recursive: true, force: true });
printSummary(inTests);
if (missingInCi > 0)
  console.log(`${missingInCi} file(s) ran without their prerequisites (CI=true): install them, see above`);
process.exitCode = failed > 0 || missingInCi > 0 ? 1 : 0;

function printSummary(missingInTests: Need[]): void {
  const byPrereq = [...skipped.values()].filter((s) => s.reason.startsWith('needs '));
  const other = [...skipped.values()].filter((s) => !s.reason.startsWith('needs '));
  const wholeFiles = byPrereq.reduce((n, s) => n + (s.tests === 0 ? s.files.size : 0), 0);
  if (byPrereq.length > 0) {
    console.log('\nSkipped because this machine lacks a prerequisite:');
    for (const s of byPrereq) {
      const what = s.tests > 0 ? `${s.tests} test(s)` : `${s.files.size} file(s)`;
      const some = [...s.files].slice(0, 3).join(', ');
      console.log(`  ${what} — ${s.reason} — ${some}${s.files.size > 3 ? ', ...' : ''}`);
    }
    const all = [...new Set([...byPrereq.flatMap((s) => s.missing), ...missingInTests])];
    console.log('To run them:');
    for (const line of howToEnable(all)) console.log(`  ${line}`);
  }
  if (other.length > 0) {
    console.log('\nSkipped for other reasons:');
    for (const s of other) console.log(`  ${s.tests} test(s): ${s.reason}`);
  }
  // The closing line CI reads: files skipped whole count once each.
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skippedTests + wholeFiles} skipped`);
}
