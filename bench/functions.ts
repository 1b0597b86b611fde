// bench:functions: the cold start of each built cloud-function artifact (process start → first
// response) beside a bare hono handler wired and bundled the same way (bench/functions/bare.ts), in the
// same run, interleaved. Each process is started by the stand-in of its platform the tests use (Lambda
// runtime loop, Azure worker with the app's own invocation model, the real functions-framework CLI),
// from a clean directory. The first request is what wakes a cold function in production: an Alertmanager
// webhook (a firing alert, new each run) that floatip authenticates, validates, maps to its group and
// enqueues in Redis (connect + job accept + BullMQ add) before answering 202; the bare handler parses the
// same body and answers 202. A run whose answer is not 202 fails the bench.
//
// Two figures per side: wall time (spawn → response) and the CPU time the cold process spent by then
// (user + system of all its threads, from /proc/<pid>/stat), which a loaded machine disturbs less.
//
// Run: npm run bench:functions   (FIP_FN_RUNS=N runs per side, default 7; needs Redis on
// FLOATIP_TEST_REDIS or 127.0.0.1:6379)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBare } from './functions/bare.ts';
import { alertBody, webhookPath, writeWebhookConfig } from './functions/webhook-config.ts';
import { ensureArtifacts, unpackArtifact } from '../test/infra/artifacts.ts';
import { installDependencies } from '../test/functions/gcp-functions/install-deps.ts';
import { httpApiEvent, lambdaTestToken } from '../test/functions/aws-lambda/events.ts';
import type { TargetName } from '../scripts/functions/targets.ts';

const runs = Number(process.env.FIP_FN_RUNS ?? '7');
const redisUrl = process.env.FLOATIP_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const repo = join(import.meta.dirname, '..');
const dirs: string[] = [];
const scratch = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `floatip-bench-${name}-`));
  dirs.push(d);
  return d;
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** One cold start: wall ms from spawn to the answer, CPU ms the process had used by then. */
interface Sample {
  ms: number;
  cpuMs: number;
}

const ticksPerSecond = 100; // USER_HZ: what /proc/<pid>/stat counts in on Linux

/** user + system CPU of every thread of `pid` so far, in ms (fields 14 and 15 of /proc/<pid>/stat). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * Spawns `args`, writes `input` (at once, or made from the first stdout line when it is a function),
 * waits for the `nth` stdout line, checks it with `accepted` and resolves with the time from spawn and
 * the process's CPU time by then; kills it.
 */
function untilLine(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input: string | ((first: unknown) => string),
  nth: number,
  accepted: (line: unknown) => boolean,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    let wrote = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (typeof input === 'function' && lines.length === 2 && !wrote) {
        wrote = true;
        child.stdin.write(input(JSON.parse(lines[0] ?? '')));
      }
      if (done || lines.length <= nth) return;
      const ms = performance.now() - t0;
      const cpuMs = cpuMsOf(child.pid);
      done = true;
      child.kill('SIGKILL');
      const line = lines[nth - 1] ?? '';
      if (accepted(JSON.parse(line))) resolve({ ms, cpuMs });
      else reject(new Error(`not accepted: ${line}\n${err}`));
    });
    child.once('exit', (code) => !done && reject(new Error(`exited ${code}: ${err}`)));
    if (typeof input === 'string') child.stdin.write(input);
  });
}

/** Spawns functions-framework on `app`, POSTs `body` to `path` once it listens; expects 202. */
async function untilHttp(
  app: string,
  env: NodeJS.ProcessEnv,
  path: string,
  body: () => string,
): Promise<Sample> {
  const port = await freePort();
  const cli = join(app, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, '--target=floatip', `--source=${app}`, `--port=${port}`], {
    cwd: app,
    env,
    stdio: 'ignore',
  });
  try {
    for (;;) {
      let r: Response;
      try {
        r = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${lambdaTestToken}`, 'content-type': 'application/json' },
          body: body(),
        });
      } catch {
        if (child.exitCode !== null) throw new Error('functions-framework exited');
        await new Promise((res) => setTimeout(res, 5));
        continue;
      }
      const text = await r.text();
      const sample = { ms: performance.now() - t0, cpuMs: cpuMsOf(child.pid) };
      if (r.status !== 202) throw new Error(`${path}: ${r.status} ${text}`);
      return sample;
    }
  } finally {
    child.kill('SIGKILL');
  }
}

function setUp(target: TargetName, dir: string, env: NodeJS.ProcessEnv): () => Promise<Sample> {
  if (target === 'aws-lambda') {
    const runtime = join(repo, 'test/functions/aws-lambda/lambda-runtime.ts');
    const ok = (l: unknown) => (l as { value?: { statusCode?: number } }).value?.statusCode === 202;
    return () =>
      untilLine(
        [runtime, dir, 'http.handler'],
        dir,
        env,
        `${JSON.stringify(httpApiEvent('POST', webhookPath, JSON.parse(alertBody())))}\n`,
        1,
        ok,
      );
  }
  if (target === 'azure-functions') {
    const worker = join(repo, 'test/functions/azure-functions/worker-stand-in.ts');
    // The worker's first line lists the functions; the HTTP trigger's binding name is the app's choice.
    type Ready = { functions?: { name: string; bindings: Record<string, { direction: string }> }[] };
    const binding = (ready: unknown): string =>
      Object.entries((ready as Ready).functions?.find((f) => f.name === 'floatip')?.bindings ?? {}).find(
        ([, b]) => b.direction === 'in',
      )?.[0] ?? 'no HTTP trigger';
    const req = (ready: unknown) => ({
      function: 'floatip',
      inputData: [
        {
          name: binding(ready),
          data: {
            http: {
              method: 'POST',
              url: `https://x.azurewebsites.net/api${webhookPath}`,
              headers: { authorization: `Bearer ${lambdaTestToken}`, 'content-type': 'application/json' },
              query: {},
              params: {},
              body: { string: alertBody() },
            },
          },
        },
      ],
    });
    const ok = (l: unknown) =>
      (l as { response?: { returnValue?: { http?: { statusCode?: string } } } }).response?.returnValue?.http
        ?.statusCode === '202';
    return () => untilLine([worker, dir], dir, env, (r) => `${JSON.stringify(req(r))}\n`, 2, ok);
  }
  installDependencies(dir);
  return () => untilHttp(dir, env, webhookPath, alertBody);
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  await ensureArtifacts();
  const prefix = `bench-fn-${randomUUID().slice(0, 8)}`;
  const config = await writeWebhookConfig(scratch('config'), redisUrl, prefix);
  const env = { PATH: process.env.PATH, HOME: tmpdir(), FLOATIP_CONFIG: config, FLOATIP_LOG_LEVEL: 'warn' };
  process.stdout.write(
    `bench:functions: cold start, process start → first webhook answered 202 (median of ${runs}, interleaved;` +
      ` wall ms / CPU ms of the cold process)\n`,
  );
  for (const target of ['aws-lambda', 'azure-functions', 'gcp-functions'] as const) {
    const ours = scratch(target);
    unpackArtifact(target, ours);
    const bare = scratch(`${target}-bare`);
    await buildBare(target, bare);
    const runOurs = setUp(target, ours, env);
    const runBare = setUp(target, bare, env);
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await runOurs());
      b.push(await runBare());
    }
    const [wa, wb] = [median(a.map((x) => x.ms)), median(b.map((x) => x.ms))];
    const [ca, cb] = [median(a.map((x) => x.cpuMs)), median(b.map((x) => x.cpuMs))];
    const n = (v: number) => v.toFixed(0).padStart(5);
    process.stdout.write(
      `  ${target.padEnd(16)} floatip ${n(wa)} ms wall ${n(ca)} ms CPU   bare hono ${n(wb)} ms wall ${n(cb)} ms CPU` +
        `   ratio wall ${(wa / wb).toFixed(2)}x CPU ${(ca / cb).toFixed(2)}x  (target <= 1.5x)\n`,
    );
  }
}

try {
  await main();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  rmSync(join(repo, '.tmp'), { recursive: true, force: true });
}
