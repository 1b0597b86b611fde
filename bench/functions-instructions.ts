// bench:functions-instructions: the cold start of the Lambda HTTP artifact counted in CPU instructions
// (valgrind --tool=callgrind), beside the bare hono handler of bench:functions (bench/functions/bare.ts)
// bundled the same way. A count does not move with the machine's load, so a change to the cold start can
// be weighed on a busy machine where bench:functions' wall and CPU times cannot. Three figures per side,
// each its own process: Node's start alone, start + the handler module's import, and start → the 202
// answer to one Alertmanager webhook (authenticate, validate, Redis connect, enqueue), as bench:functions
// sends it; the driver calls the exported handler as the Lambda runtime does and exits on the answer.
//
// Run: npm run bench:functions-instructions   (needs valgrind, and Redis on FLOATIP_TEST_REDIS or
// 127.0.0.1:6379; FIP_FN_RUNS=N runs per figure, default 1: the counts vary by well under 1 %)
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBare } from './functions/bare.ts';
import { alertBody, webhookPath, writeWebhookConfig } from './functions/webhook-config.ts';
import { ensureArtifacts, unpackArtifact } from '../test/infra/artifacts.ts';
import { httpApiEvent } from '../test/functions/aws-lambda/events.ts';

const runs = Number(process.env.FIP_FN_RUNS ?? '1');
const redisUrl = process.env.FLOATIP_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const repo = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'floatip-bench-instr-'));

/** Exits at `phase` (start | import | answer); at `answer` only after a 202 to the webhook in argv[3]. */
const driver = `import { pathToFileURL } from 'node:url';
const [dir, phase, event] = process.argv.slice(2);
if (phase === 'start') process.exit(0);
const { handler } = await import(pathToFileURL(dir + '/http.mjs').href);
if (phase === 'import') process.exit(0);
const context = { awsRequestId: 'cold', getRemainingTimeInMillis: () => 30000 };
const r = await handler(JSON.parse(event), context);
if (r.statusCode !== 202) { process.stderr.write('answer: ' + JSON.stringify(r) + '\\n'); process.exit(1); }
process.exit(0);
`;

const webhook = (): string =>
  JSON.stringify(httpApiEvent('POST', webhookPath, JSON.parse(alertBody()) as unknown));

/** Instructions callgrind counted for one run of the driver (the whole process, all threads). */
function count(dir: string, phase: string, env: NodeJS.ProcessEnv): number {
  const r = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      join(work, 'driver.mjs'),
      dir,
      phase,
      webhook(),
    ],
    { cwd: dir, env, encoding: 'utf8' },
  );
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`callgrind ${phase} in ${dir}: exit ${r.status}\n${r.stderr}`);
  return Number(m[1]);
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

try {
  await ensureArtifacts();
  writeFileSync(join(work, 'driver.mjs'), driver);
  const config = await writeWebhookConfig(work, redisUrl, `bench-instr-${randomUUID().slice(0, 8)}`);
  const env = { PATH: process.env.PATH, HOME: tmpdir(), FLOATIP_CONFIG: config, FLOATIP_LOG_LEVEL: 'warn' };
  const ours = join(work, 'aws-lambda');
  unpackArtifact('aws-lambda', ours);
  const bare = join(work, 'bare');
  await buildBare('aws-lambda', bare);
  process.stdout.write(
    `bench:functions-instructions: aws-lambda HTTP artifact, instructions (callgrind, median of ${runs})\n`,
  );
  const row = (phase: string): [number, number] => {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(count(ours, phase, env));
      b.push(count(bare, phase, env));
    }
    return [median(a), median(b)];
  };
  const m = (v: number) => `${(v / 1e6).toFixed(0)} M`.padStart(8);
  const [sa, sb] = row('start');
  const [ia, ib] = row('import');
  const [aa, ab] = row('answer');
  process.stdout.write(
    `  ${'phase'.padEnd(30)} ${'floatip'.padStart(8)} ${'bare hono'.padStart(10)}\n` +
      `  ${'node start'.padEnd(30)} ${m(sa)} ${m(sb).padStart(10)}\n` +
      `  ${'+ import of http.mjs'.padEnd(30)} ${m(ia - sa)} ${m(ib - sb).padStart(10)}\n` +
      `  ${'+ first webhook → 202'.padEnd(30)} ${m(aa - ia)} ${m(ab - ib).padStart(10)}\n` +
      `  ${'total to the 202'.padEnd(30)} ${m(aa)} ${m(ab).padStart(10)}   ratio ${(aa / ab).toFixed(2)}x` +
      ` (target <= 1.5x)\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(join(repo, '.tmp'), { recursive: true, force: true });
}
