// bench:functions-modules: where a cloud function's cold start goes, module by module. Each package the
// HTTP handler may load before its first answer (and floatip's own layers above them) is bundled alone
// with the artifacts' esbuild options and plugins (so prom-client is its subset; pino is set up, which
// the handler's first request never does) and imported by a fresh Node process; the figures are the
// import's wall time and the process's CPU time beyond an empty module's, medians of interleaved runs.
// Layers include what they import (the HTTP adapter holds hono, zod and every webhook schema), so rows
// overlap; the last row is the whole HTTP handler of the Lambda artifact as it is built. The first
// request's own work (Redis connect, enqueue) comes on top: bench:functions measures that end to end.
//
// Run: npm run bench:functions-modules   (FIP_FN_RUNS=N runs per module, default 7)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { artifactPlugins, banner, repoRoot } from '../scripts/functions/build.ts';
import { targets } from '../scripts/functions/targets.ts';

const runs = Number(process.env.FIP_FN_RUNS ?? '7');
const lambda = targets.find((t) => t.name === 'aws-lambda');
if (!lambda) throw new Error('no aws-lambda target');

/** Module name → the source of its entry (what the handler imports from it). */
const modules: Record<string, string> = {
  '(empty module)': 'export const x = 1;',
  hono: "export { Hono } from 'hono'; export { handle } from 'hono/aws-lambda';",
  'pino (set up)':
    "import pino from 'pino'; export const logger = pino({ level: 'warn' }, pino.destination(2));",
  yaml: "export { parse } from 'yaml';",
  'prom-client': "export { Counter, Gauge, Histogram, Registry } from 'prom-client';",
  // As floatip imports it (a namespace: see eslint.config.js), with one schema built.
  zod: "import * as z from 'zod'; export const s = z.strictObject({ a: z.string().min(1) });",
  ioredis: "export { Redis } from 'ioredis';",
  'bullmq Queue (now loaded on first use)': "export { Queue } from 'bullmq';",
  'bull-add (BullMQ add-job script, msgpackr)':
    "export { bullAdder } from '../../adapters/redis/bull-add.ts';",
  'zod + control-plane config schema': "export * from '../../core/config/control-plane.ts';",
  'adapters/redis (+ ioredis, bullmq)': "export * from '../../adapters/redis/index.ts';",
  'adapters/http (+ hono, zod, prom-client)': "export * from '../../adapters/http/index.ts';",
  'aws-lambda http.mjs (all of it)': "export * from '../../functions/aws-lambda/http.ts';",
};

const work = mkdtempSync(join(tmpdir(), 'floatip-bench-modules-'));
const src = join(repoRoot, '.tmp', 'bench-modules');

/** Bytes of `entry` and every chunk it imports statically (what a cold import reads and compiles). */
const staticBytes = new Map<string, number>();
function staticClosure(
  outputs: Record<string, { bytes: number; imports: { path: string; kind: string }[] }>,
  entry: string,
): number {
  const key = (p: string) => Object.keys(outputs).find((k) => join(repoRoot, k) === p) ?? p;
  const seen = new Set<string>();
  const todo = [key(entry)];
  for (let o = todo.pop(); o !== undefined; o = todo.pop()) {
    if (seen.has(o)) continue;
    seen.add(o);
    for (const i of outputs[o]?.imports ?? []) if (i.kind === 'import-statement') todo.push(i.path);
  }
  return [...seen].reduce((n, o) => n + (outputs[o]?.bytes ?? 0), 0);
}

async function bundle(name: string, code: string, i: number): Promise<string> {
  const entry = join(src, `m${i}.ts`);
  writeFileSync(entry, code);
  const out = join(work, `m${i}`);
  mkdirSync(out, { recursive: true });
  const result = await build({
    absWorkingDir: repoRoot,
    metafile: true,
    entryPoints: [{ in: entry, out: 'index' }],
    outdir: out,
    // As in the artifacts: what the handler loads behind import() (a provider's SDK) is a chunk of its own.
    splitting: true,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    plugins: artifactPlugins(lambda as NonNullable<typeof lambda>),
    define: {
      FLOATIP_ARTIFACT: JSON.stringify({ name: 'aws-lambda', providers: ['memory', 'aws', 'dns'] }),
    },
    banner: { js: banner },
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'error',
  });
  // adapters/redis/scripts.ts reads its Lua scripts from `lua/` beside the module that holds it.
  cpSync(join(repoRoot, 'adapters', 'redis', 'lua'), join(out, 'lua'), { recursive: true });
  process.stderr.write(`  bundled ${name}\n`);
  const file = join(out, 'index.mjs');
  staticBytes.set(file, staticClosure(result.metafile.outputs, join(out, 'index.mjs')) / 1024);
  return file;
}

/** A fresh process imports `file`; prints the import's wall ms and the process's CPU ms so far. */
const importer = join(work, 'import.mjs');
writeFileSync(
  importer,
  [
    'const t = performance.now();',
    'await import(process.argv[2]);',
    'const ms = performance.now() - t;',
    'const c = process.cpuUsage();',
    'console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000 }));',
    'process.exit(0);',
  ].join('\n'),
);

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

try {
  mkdirSync(src, { recursive: true });
  const names = Object.keys(modules);
  const files: string[] = [];
  for (const [i, name] of names.entries()) files.push(await bundle(name, modules[name] ?? '', i));
  const samples = names.map(() => ({ ms: [] as number[], cpuMs: [] as number[] }));
  for (let r = 0; r < runs; r++)
    for (const [i, file] of files.entries()) {
      const s = JSON.parse(execFileSync(process.execPath, [importer, file], { encoding: 'utf8' })) as {
        ms: number;
        cpuMs: number;
      };
      samples[i]?.ms.push(s.ms);
      samples[i]?.cpuMs.push(s.cpuMs);
    }
  const base = median(samples[0]?.cpuMs ?? []);
  process.stdout.write(
    `bench:functions-modules: cold import of each module alone (median of ${runs}, interleaved)\n` +
      `  ${'module'.padEnd(42)} ${'loaded'.padStart(9)} ${'import'.padStart(9)} ${'CPU beyond empty'.padStart(17)}\n`,
  );
  for (const [i, name] of names.entries()) {
    const kb = staticBytes.get(files[i] ?? '') ?? 0;
    const ms = median(samples[i]?.ms ?? []);
    const cpu = median(samples[i]?.cpuMs ?? []) - (i === 0 ? 0 : base);
    process.stdout.write(
      `  ${name.padEnd(42)} ${`${kb.toFixed(0)} KB`.padStart(9)} ${`${ms.toFixed(1)} ms`.padStart(9)} ${`${cpu.toFixed(1)} ms`.padStart(17)}${i === 0 ? ' (CPU of the whole process)' : ''}\n`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(src, { recursive: true, force: true });
}
