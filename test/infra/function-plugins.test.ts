/**
 * The esbuild plugins that keep work off a function's cold start (scripts/functions/plugins.ts): a lazy
 * package is not initialized by importing it, nor bundled with the importer, yet behaves as itself when used; the prom-client subset
 * serves the same metrics, default process metrics included when asked for; msgpackr without its
 * optional native extractor encodes and decodes as before; ioredis's command table, set up in dictionary
 * mode, is a fast prototype again once used and has every command; yaml's ES module build parses as its
 * Node.js build does; `debug` loads only when DEBUG asks for it, and logs as itself then; a built-in module
 * made lazy for one package loads at its first use.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { banner, repoRoot } from '../../scripts/functions/build.ts';
import {
  debugOnDemand,
  esmBuild,
  ioredisClusterOnDemand,
  ioredisCommandTable,
  lazyBuiltin,
  lazyPackage,
  optionalNative,
  promClientSubset,
} from '../../scripts/functions/plugins.ts';
import { cleanDir } from './artifacts.ts';

/** Bundles `entry` (in `dir`) as the artifacts are bundled, with `plugins`; imports the result. */
async function bundled(dir: string, entry: string, plugins: Plugin[]): Promise<Record<string, unknown>> {
  const out = join(dir, `${entry}.out.mjs`);
  await build({
    absWorkingDir: dir,
    nodePaths: [join(repoRoot, 'node_modules')],
    entryPoints: [join(dir, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: banner },
    plugins,
    logLevel: 'error',
  });
  return (await import(pathToFileURL(out).href)) as Record<string, unknown>;
}

test('a lazy package is initialized by its first use, not by the import, and then is itself', async (t) => {
  const dir = cleanDir(t, 'lazy-package');
  mkdirSync(join(dir, 'node_modules', 'fip-fake-parser'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules', 'fip-fake-parser', 'index.js'),
    [
      'globalThis.fipFakeParserLoads = (globalThis.fipFakeParserLoads ?? 0) + 1;',
      'class Parser { static #prefix = "parsed"; static parse(s) { return `${Parser.#prefix} ${s}, this ${this === Parser ? "is" : "is not"} the class`; } }',
      'exports.Parser = Parser;',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import { Parser } from 'fip-fake-parser';",
      'export const loadsAtImport = globalThis.fipFakeParserLoads ?? 0;',
      'export const parse = (s) => Parser.parse(s);',
    ].join('\n'),
  );
  const m = await bundled(dir, 'entry.mjs', [lazyPackage({ 'fip-fake-parser': ['Parser'] })]);
  assert.equal(m.loadsAtImport, 0, 'not initialized by the import');
  assert.doesNotMatch(
    readFileSync(join(dir, 'entry.mjs.out.mjs'), 'utf8'),
    /static #prefix/,
    'not even in the bundle: in a file of its own',
  );
  const parse = m.parse as (s: string) => string;
  assert.equal(parse('a'), 'parsed a, this is the class');
  assert.equal(parse('b'), 'parsed b, this is the class');
  assert.equal((globalThis as { fipFakeParserLoads?: number }).fipFakeParserLoads, 1, 'initialized once');
});

test('a lazy named function (as yaml exports parse) is called through its stand-in, loaded once', async (t) => {
  const dir = cleanDir(t, 'lazy-function');
  mkdirSync(join(dir, 'node_modules', 'fip-fake-yaml'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules', 'fip-fake-yaml', 'index.js'),
    [
      'globalThis.fipFakeYamlLoads = (globalThis.fipFakeYamlLoads ?? 0) + 1;',
      'exports.parse = function parse(text, options) { return { text, strict: options?.strict === true }; };',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import { parse } from 'fip-fake-yaml';",
      'export const loadsAtImport = globalThis.fipFakeYamlLoads ?? 0;',
      'export const read = (s) => parse(s, { strict: true });',
    ].join('\n'),
  );
  const m = await bundled(dir, 'entry.mjs', [lazyPackage({ 'fip-fake-yaml': ['parse'] })]);
  assert.equal(m.loadsAtImport, 0, 'not initialized by the import');
  const read = m.read as (s: string) => unknown;
  assert.deepEqual(read('a: 1'), { text: 'a: 1', strict: true });
  assert.deepEqual(read('b: 2'), { text: 'b: 2', strict: true });
  assert.equal((globalThis as { fipFakeYamlLoads?: number }).fipFakeYamlLoads, 1, 'initialized once');
});

test('a lazy default export (a CommonJS function with properties) loads when it is called or read', async (t) => {
  const dir = cleanDir(t, 'lazy-default');
  mkdirSync(join(dir, 'node_modules', 'fip-fake-logger'), { recursive: true });
  writeFileSync(
    join(dir, 'node_modules', 'fip-fake-logger', 'index.js'),
    [
      'globalThis.fipFakeLoggerLoads = (globalThis.fipFakeLoggerLoads ?? 0) + 1;',
      'function make(name) { return { name, made: true }; }',
      'make.destination = (fd) => `fd ${fd}`;',
      'module.exports = make;',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import make from 'fip-fake-logger';",
      'export const loadsAtImport = globalThis.fipFakeLoggerLoads ?? 0;',
      'export const use = () => [make(make.destination(2)), globalThis.fipFakeLoggerLoads];',
    ].join('\n'),
  );
  const m = await bundled(dir, 'entry.mjs', [lazyPackage({ 'fip-fake-logger': ['default'] })]);
  assert.equal(m.loadsAtImport, 0, 'not initialized by the import');
  assert.deepEqual((m.use as () => unknown)(), [{ name: 'fd 2', made: true }, 1]);
});

test("cron-parser behind the lazy stand-in gives BullMQ's job scheduler the same next run", async (t) => {
  const dir = cleanDir(t, 'lazy-cron');
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import { CronExpressionParser } from 'cron-parser';",
      'export const next = (p, from) => CronExpressionParser.parse(p, { currentDate: from, tz: "UTC" }).next().toISOString();',
    ].join('\n'),
  );
  const lazy = await bundled(dir, 'entry.mjs', [lazyPackage()]);
  const { CronExpressionParser } = await import('cron-parser');
  for (const pattern of ['*/5 * * * *', '0 0 3 * * 1', '@daily']) {
    const from = '2026-03-04T05:06:07Z';
    const expected = CronExpressionParser.parse(pattern, { currentDate: from, tz: 'UTC' })
      .next()
      .toISOString();
    assert.equal((lazy.next as (p: string, f: string) => string)(pattern, from), expected, pattern);
  }
});

test('the prom-client subset exposes the control metrics, and the default process metrics on request', async (t) => {
  const dir = cleanDir(t, 'prom-subset');
  writeFileSync(
    join(dir, 'entry.mjs'),
    `export { createControlMetrics } from ${JSON.stringify(join(repoRoot, 'adapters/http/metrics.ts'))};`,
  );
  const m = await bundled(dir, 'entry.mjs', [promClientSubset()]);
  type Metrics = {
    registry: { metrics(): Promise<string> };
    webhooks: { inc(l: Record<string, string>): void };
  };
  const create = m.createControlMetrics as (o?: { defaults?: boolean }) => Metrics;
  const plain = create();
  plain.webhooks.inc({ source: 'alertmanager', result: 'accepted' });
  const text = await plain.registry.metrics();
  assert.match(text, /floatip_webhooks_total\{source="alertmanager",result="accepted"\} 1/);
  assert.doesNotMatch(text, /floatip_process_cpu/);
  const withDefaults = await create({ defaults: true }).registry.metrics();
  assert.match(withDefaults, /floatip_process_cpu_user_seconds_total/);
});

test('msgpackr bundled without msgpackr-extract runs its JavaScript decoder and round-trips job options', async (t) => {
  const dir = cleanDir(t, 'optional-native');
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import { Packr, isNativeAccelerationEnabled } from 'msgpackr';",
      'const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });',
      'export const native = isNativeAccelerationEnabled;',
      'export const roundTrip = (v) => packr.unpack(packr.pack(v));',
    ].join('\n'),
  );
  const m = await bundled(dir, 'entry.mjs', [optionalNative()]);
  const code = readFileSync(join(dir, 'entry.mjs.out.mjs'), 'utf8');
  assert.doesNotMatch(code, /node-gyp-build|detect-libc/, 'no search for a prebuilt binary');
  assert.equal(m.native, false);
  const opts = {
    jobId: 'alertmanager:4f1c',
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    name: 'ü'.repeat(40),
  };
  assert.deepEqual((m.roundTrip as (v: unknown) => unknown)(opts), opts);
});

test('ioredis with its command table set up in dictionary mode: every command, a fast prototype once used', async (t) => {
  const dir = cleanDir(t, 'ioredis-commands');
  writeFileSync(join(dir, 'entry.mjs'), "export { Redis } from 'ioredis';");
  await bundled(dir, 'entry.mjs', [ioredisCommandTable()]);
  assert.match(
    readFileSync(join(dir, 'entry.mjs.out.mjs'), 'utf8'),
    /delete Commander\.prototype\.__floatipSetup/,
  );
  const probe = join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    [
      `import { Redis } from ${JSON.stringify(pathToFileURL(join(dir, 'entry.mjs.out.mjs')).href)};`,
      'const commander = Object.getPrototypeOf(Redis.prototype);',
      'const r = new Redis({ lazyConnect: true });',
      'for (let i = 0; i < 3; i++) r.evalsha, r.hset, r.getBuffer;',
      'const names = ["get", "getBuffer", "hset", "evalsha", "xadd", "sentinel", "call"];',
      'console.log(JSON.stringify({ fast: %HasFastProperties(commander),',
      '  missing: names.filter((n) => typeof r[n] !== "function") }));',
      'r.disconnect();',
    ].join('\n'),
  );
  const out = JSON.parse(
    execFileSync(process.execPath, ['--allow-natives-syntax', probe], { encoding: 'utf8' }),
  ) as { fast: boolean; missing: string[] };
  assert.deepEqual(out, { fast: true, missing: [] });
});

/** Bundles `dir`/entry.mjs in memory with `plugin` (to see whether the build fails). */
const buildEntry = (dir: string, plugin: Plugin) =>
  build({
    absWorkingDir: dir,
    entryPoints: [join(dir, 'entry.mjs')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    plugins: [plugin],
    logLevel: 'silent',
  });

test('a build against an ioredis whose command loop reads otherwise fails, naming the file', async (t) => {
  const dir = cleanDir(t, 'ioredis-changed');
  const utils = join(dir, 'node_modules', 'ioredis', 'built', 'utils');
  mkdirSync(utils, { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'ioredis', 'package.json'), '{"main":"built/utils/Commander.js"}');
  writeFileSync(join(utils, 'Commander.js'), 'for (const c of commands) exports[c] = c;');
  writeFileSync(join(dir, 'entry.mjs'), "export * from 'ioredis';");
  await assert.rejects(
    buildEntry(dir, ioredisCommandTable()),
    /Commander\.js: the command loop .* is not there once/,
  );
});

test("yaml's ES module build, bundled, parses (and refuses) as the Node.js build does", async (t) => {
  const dir = cleanDir(t, 'yaml-esm');
  writeFileSync(
    join(dir, 'entry.mjs'),
    "import { parse } from 'yaml'; export const read = (t) => { try { return parse(t, { prettyErrors: true }); } catch (e) { return `${e.name}: ${e.message}`; } };",
  );
  const m = await bundled(dir, 'entry.mjs', [esmBuild()]);
  const code = readFileSync(join(dir, 'entry.mjs.out.mjs'), 'utf8');
  assert.doesNotMatch(code, /node_modules\/yaml\/dist\//, 'not the CommonJS build');
  const { parse } = await import('yaml');
  const node = (text: string): unknown => {
    try {
      return parse(text, { prettyErrors: true }) as unknown;
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  const read = m.read as (text: string) => unknown;
  for (const text of [
    'controlPlane:\n  redis: { url: "redis://r:6379", prefix: p }\n  groups:\n    - id: g\n      members: { a: {}, b: { priority: 50 } }\n',
    '{"controlPlane": {"tokens": [{"name": "ops", "env": "T", "scopes": ["read"]}]}}',
    'a: &x [1, 2]\nb: *x\nc: !!str 3\nd: 0x1f\ne: ~\n',
    'a: 1\na: 2\n',
    'a: [1, 2\n',
  ])
    assert.deepEqual(read(text), node(text), text);
});

/**
 * Writes `lines` as `dir`/entry.mjs and bundles it as the artifacts are bundled, with `plugins`, into `dir`/out (beside the files
 * a plugin writes there); returns the bundle's path, for a fresh process to run.
 */
async function bundledFile(dir: string, lines: string[], plugins: Plugin[]): Promise<string> {
  writeFileSync(join(dir, 'entry.mjs'), lines.join('\n'));
  await build({
    absWorkingDir: dir,
    nodePaths: [join(repoRoot, 'node_modules')],
    entryPoints: [join(dir, 'entry.mjs')],
    outdir: join(dir, 'out'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    banner: { js: banner },
    plugins,
    logLevel: 'error',
  });
  return join(dir, 'out', 'entry.mjs');
}

/** Runs `file` in a fresh Node.js process (nothing loaded yet) with `env`; its stdout and stderr. */
function fresh(file: string, env: Record<string, string> = {}): { out: string; err: string } {
  const r = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout, err: r.stderr };
}

test('debug loads only when DEBUG names namespaces, and then logs as the real package does', async (t) => {
  const dir = cleanDir(t, 'debug-on-demand');
  const entry = await bundledFile(
    dir,
    [
      "import createDebug from 'debug';",
      "const log = createDebug('fip:test');",
      "const sub = log.extend('sub');",
      "log('hello %d', 42);",
      "sub('from %s', 'sub');",
      'const loaded = Object.keys(require.cache).some((f) => f.endsWith("lazy-debug.cjs"));',
      'console.log(JSON.stringify({ enabled: log.enabled, sub: sub.namespace, subEnabled: sub.enabled, loaded }));',
    ],
    [debugOnDemand()],
  );
  assert.doesNotMatch(
    readFileSync(entry, 'utf8'),
    /supports-color|humanize|DEBUG_COLORS/,
    'not in the bundle',
  );
  const off = fresh(entry);
  assert.deepEqual(JSON.parse(off.out), {
    enabled: false,
    sub: 'fip:test:sub',
    subEnabled: false,
    loaded: false,
  });
  assert.equal(off.err, '', 'a disabled debugger writes nothing');
  const on = fresh(entry, { DEBUG: 'fip:*', DEBUG_COLORS: 'no' });
  assert.deepEqual(JSON.parse(on.out), {
    enabled: true,
    sub: 'fip:test:sub',
    subEnabled: true,
    loaded: true,
  });
  // The real package's format (no colors, not a TTY): an ISO date, the namespace, the message.
  assert.match(on.err, /^\S+Z fip:test hello 42\n\S+Z fip:test:sub from sub\n$/);
  const other = fresh(entry, { DEBUG: 'someone-else' });
  assert.equal(JSON.parse(other.out).enabled, false, 'DEBUG naming other namespaces enables nothing here');
});

test('a built-in module made lazy for one package loads at its first use, and works as itself', async (t) => {
  const dir = cleanDir(t, 'lazy-builtin');
  const m = await bundledFile(
    dir,
    [
      "import { ParserError } from 'redis-errors';",
      "const loaded = () => process.moduleLoadList.includes('NativeModule assert');",
      'const atImport = loaded();',
      'let refused = null;',
      "try { new ParserError('bad', Buffer.from('x'), 'not a number'); } catch (e) { refused = e.code; }",
      "const ok = new ParserError('fine', Buffer.from('x'), 3);",
      'console.log(JSON.stringify({ atImport, refused, afterUse: loaded(), message: ok.message, offset: ok.offset }));',
    ],
    [lazyBuiltin()],
  );
  assert.deepEqual(JSON.parse(fresh(m).out), {
    atImport: false,
    refused: 'ERR_ASSERTION',
    afterUse: true,
    message: 'fine',
    offset: 3,
  });
});

test("ioredis's Cluster is built from its own file on the first new Cluster(), as itself", async (t) => {
  const dir = cleanDir(t, 'ioredis-cluster');
  const entry = await bundledFile(
    dir,
    [
      "import { Cluster, Redis } from 'ioredis';",
      'const loaded = () => Object.keys(require.cache).some((f) => f.endsWith("lazy-ioredis-cluster.cjs"));',
      'const atImport = loaded();',
      'const r = new Redis({ lazyConnect: true });',
      'const afterRedis = loaded();',
      "const c = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });",
      'console.log(JSON.stringify({ atImport, afterRedis, afterCluster: loaded(), isCluster: c.isCluster,',
      '  status: c.status, nodes: typeof c.nodes, redisIsCluster: r.isCluster === true, name: c.constructor.name }));',
      'r.disconnect(); c.disconnect();',
    ],
    [ioredisClusterOnDemand()],
  );
  assert.doesNotMatch(
    readFileSync(entry, 'utf8'),
    /ClusterSubscriberGroup|clusterRetryStrategy/,
    'not in the bundle',
  );
  assert.deepEqual(JSON.parse(fresh(entry).out), {
    atImport: false,
    afterRedis: false,
    afterCluster: true,
    isCluster: true,
    status: 'wait',
    nodes: 'function',
    redisIsCluster: false,
    // ioredis mixes EventEmitter's prototype into Cluster's, constructor included: so does the real one.
    name: 'EventEmitter',
  });
});

test('a build against an ioredis whose index no longer requires ./cluster fails, naming the file', async (t) => {
  const dir = cleanDir(t, 'ioredis-cluster-changed');
  const built = join(dir, 'node_modules', 'ioredis', 'built');
  mkdirSync(join(built, 'cluster'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'ioredis', 'package.json'), '{"main":"built/index.js"}');
  writeFileSync(join(built, 'index.js'), 'exports.Cluster = require("./cluster/index.js").default;');
  writeFileSync(join(built, 'cluster', 'index.js'), 'exports.default = class Cluster {};');
  writeFileSync(join(dir, 'entry.mjs'), "export * from 'ioredis';");
  await assert.rejects(
    buildEntry(dir, ioredisClusterOnDemand()),
    /index\.js: require\("\.\/cluster"\) is not there once/,
  );
});
