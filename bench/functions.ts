// bench:functions: the cold start of each built cloud-function artifact (process start → first
// response) beside a bare hono handler wired and bundled the same way (bench/functions/bare.ts), in the
// same run, interleaved. Each process is started by the stand-in of its platform the tests use (Lambda
// runtime loop, Azure worker with the app's own invocation model, the real functions-framework CLI),
// from a clean directory; the request is GET /healthz (floatip's handler connects Redis first).
//
// Run: npm run bench:functions   (FIP_FN_RUNS=N runs per side, default 7; needs Redis on
// FLOATIP_TEST_REDIS or 127.0.0.1:6379)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBare } from './functions/bare.ts';
import { ensureArtifacts, unpackArtifact } from '../test/infra/artifacts.ts';
import { installDependencies } from '../test/functions/gcp-functions/install-deps.ts';
import { httpApiEvent } from '../test/functions/aws-lambda/events.ts';
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

/** Spawns `args`, writes `input`, resolves with ms from spawn to the `nth` stdout line; kills it. */
function untilLine(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input: string,
  nth: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let lines = 0;
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1;
      if (lines >= nth) {
        const ms = performance.now() - t0;
        child.kill('SIGKILL');
        resolve(ms);
      }
    });
    child.once('exit', (code) => lines < nth && reject(new Error(`exited ${code}: ${err}`)));
    child.stdin.write(input);
  });
}

/** Spawns functions-framework on `app` and polls /healthz until it answers; ms from spawn. */
async function untilHttp(app: string, env: NodeJS.ProcessEnv): Promise<number> {
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
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) return performance.now() - t0;
        throw new Error(`healthz ${r.status}`);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('healthz')) throw e;
        if (child.exitCode !== null) throw new Error('functions-framework exited');
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    child.kill('SIGKILL');
  }
}

function setUp(target: TargetName, dir: string, env: NodeJS.ProcessEnv): () => Promise<number> {
  if (target === 'aws-lambda') {
    const runtime = join(repo, 'test/functions/aws-lambda/lambda-runtime.ts');
    const event = `${JSON.stringify(httpApiEvent('GET', '/healthz'))}\n`;
    return () => untilLine([runtime, dir, 'http.handler'], dir, env, event, 1);
  }
  if (target === 'azure-functions') {
    const worker = join(repo, 'test/functions/azure-functions/worker-stand-in.ts');
    const req = {
      function: 'floatip',
      inputData: [
        {
          name: 'httpTrigger1',
          data: {
            http: {
              method: 'GET',
              url: 'https://x.azurewebsites.net/api/healthz',
              headers: {},
              query: {},
              params: {},
            },
          },
        },
      ],
    };
    return () => untilLine([worker, dir], dir, env, `${JSON.stringify(req)}\n`, 2);
  }
  installDependencies(dir);
  return () => untilHttp(dir, env);
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  await ensureArtifacts();
  const prefix = `bench-fn-${randomUUID().slice(0, 8)}`;
  const config = join(scratch('config'), 'floatip.control.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      controlPlane: {
        redis: { url: redisUrl, prefix },
        tokens: [{ name: 'ops', value: 'bench-token', scopes: ['read'] }],
        groups: [
          { id: 'g', members: { a: {} }, resources: [{ id: 'r', provider: 'memory', kind: 'address' }] },
        ],
      },
    }),
  );
  const env = { PATH: process.env.PATH, HOME: tmpdir(), FLOATIP_CONFIG: config, FLOATIP_LOG_LEVEL: 'warn' };
  process.stdout.write(
    `bench:functions: cold start, process start → first response (median of ${runs}, interleaved)\n`,
  );
  for (const target of ['aws-lambda', 'azure-functions', 'gcp-functions'] as const) {
    const ours = scratch(target);
    unpackArtifact(target, ours);
    const bare = scratch(`${target}-bare`);
    await buildBare(target, bare);
    const runOurs = setUp(target, ours, env);
    const runBare = setUp(target, bare, env);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await runOurs());
      b.push(await runBare());
    }
    const [ma, mb] = [median(a), median(b)];
    process.stdout.write(
      `  ${target.padEnd(16)} floatip ${ma.toFixed(0).padStart(5)} ms   bare hono ${mb.toFixed(0).padStart(5)} ms   ratio ${(ma / mb).toFixed(2)}x  (target <= 1.5x)\n`,
    );
  }
}

try {
  await main();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  rmSync(join(repo, '.tmp'), { recursive: true, force: true });
}
