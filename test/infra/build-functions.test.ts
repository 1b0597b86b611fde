/**
 * build:functions refuses a bad config before writing anything (including member specs only a provider
 * checks), and an artifact asked for a provider it does not carry says so by name. What each artifact's
 * HTTP handler loads at its cold start (its module and the chunks it imports, statically) leaves BullMQ out.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadControlPlaneConfig } from '../../functions/control-plane/config.ts';
import { buildFunctions, defaultOutDir } from '../../scripts/functions/build.ts';
import { ensureArtifacts, cleanDir, unpackArtifact } from './artifacts.ts';
import { lineChild } from '../functions/line-child.ts';
import { httpApiEvent, lambdaTestToken } from '../functions/aws-lambda/events.ts';

const group = (provider: string, memberSpec: object) => ({
  id: 'g',
  members: { a: { [provider]: memberSpec } },
  resources: [{ id: 'r', provider, kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } }],
});

test('build:functions --config: a config error is named (file, path) and nothing is built', async (t) => {
  const dir = cleanDir(t, 'build-bad');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    JSON.stringify({
      controlPlane: { providers: { aws: { region: 'eu-west-1' } }, groups: [group('aws', { nic: 'x' })] },
    }),
  );
  await assert.rejects(
    buildFunctions({ configFile: bad, outDir: join(dir, 'out') }),
    /networkInterfaceId|member|spec/,
  );
  const missing = join(dir, 'missing.yaml');
  writeFileSync(
    missing,
    JSON.stringify({ controlPlane: { groups: [group('aws', { networkInterfaceId: 'eni-a' })] } }),
  );
  await assert.rejects(
    buildFunctions({ configFile: missing, outDir: join(dir, 'out') }),
    /controlPlane\.groups\[0\]\.resources\[0\]\.provider: unknown provider 'aws'/,
  );
  assert.equal(existsSync(join(dir, 'out')), false, 'nothing written');
});

test('build:functions --config ships the validated document as JSON, which the function reads', async (t) => {
  const dir = cleanDir(t, 'build-json');
  const yaml = join(dir, 'floatip.control.yaml');
  // YAML the JSON reader could not take: a comment, an anchor and its alias.
  writeFileSync(
    yaml,
    [
      '# the control plane',
      'controlPlane:',
      '  tokens:',
      '    - {name: ops, env: FLOATIP_OPS_TOKEN, scopes: &all [read, failover]}',
      '    - {name: ci, env: FLOATIP_CI_TOKEN, scopes: *all}',
      '  groups: [{id: g, members: {a: {}, b: {}}, resources: [{id: r, provider: memory, kind: address}]}]',
      '',
    ].join('\n'),
  );
  await buildFunctions({ configFile: yaml, outDir: join(dir, 'out'), only: ['aws-lambda'] });
  const shipped = join(dir, 'out', 'aws-lambda', 'floatip.control.json');
  assert.equal(existsSync(join(dir, 'out', 'aws-lambda', 'floatip.control.yaml')), false);
  const doc = JSON.parse(readFileSync(shipped, 'utf8')) as {
    controlPlane: { tokens: { scopes: string[] }[] };
  };
  assert.deepEqual(
    doc.controlPlane.tokens.map((t) => t.scopes),
    [
      ['read', 'failover'],
      ['read', 'failover'],
    ],
  );
  // Beside it, the checked copy: the validation's result for exactly this document (./checked.ts).
  const copy = join(dir, 'out', 'aws-lambda', 'floatip.control.checked.json');
  const checked = JSON.parse(readFileSync(copy, 'utf8')) as {
    controlPlane: { tokens: { name: string; value?: string; env?: string; scopes: string[] }[] };
  };
  assert.deepStrictEqual(checked.controlPlane, await loadControlPlaneConfig(shipped, undefined));
  // The artifact takes it for its config: a token only the copy knows is accepted.
  checked.controlPlane.tokens[0] = { name: 'ops', value: lambdaTestToken, scopes: ['read'] };
  writeFileSync(copy, JSON.stringify(checked));
  const http = lineChild(
    t,
    [
      join(import.meta.dirname, '../functions/aws-lambda/lambda-runtime.ts'),
      join(dir, 'out', 'aws-lambda'),
      'http.handler',
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        FLOATIP_CONFIG: shipped,
        FLOATIP_OPS_TOKEN: 'ops-token-0123456789abcdef',
        FLOATIP_CI_TOKEN: 'ci-token-0123456789abcdef',
        FLOATIP_LOG_LEVEL: 'silent',
      },
    },
  );
  const r = (await http.ask(httpApiEvent('GET', '/metrics'))) as {
    ok: boolean;
    error?: string;
    value?: { statusCode: number };
  };
  assert.equal(r.ok, true, r.error);
  assert.equal(r.value?.statusCode, 200);
  // The document edited in place (as in a console): the artifact validates it and names the problem.
  writeFileSync(shipped, readFileSync(shipped, 'utf8').replace('"groups": [', '"groups": [], "x": ['));
  const edited = lineChild(
    t,
    [
      join(import.meta.dirname, '../functions/aws-lambda/lambda-runtime.ts'),
      join(dir, 'out', 'aws-lambda'),
      'http.handler',
    ],
    { cwd: dir, env: { PATH: process.env.PATH, FLOATIP_CONFIG: shipped, FLOATIP_LOG_LEVEL: 'silent' } },
  );
  const e = (await edited.ask(httpApiEvent('GET', '/healthz'))) as { ok: boolean; error: string };
  assert.equal(e.ok, false);
  assert.match(e.error, /controlPlane\.groups: must not be empty/);
});

test('an artifact asked for a provider it does not carry names it and what it carries', async (t) => {
  await ensureArtifacts();
  const root = cleanDir(t, 'lambda-gcp');
  unpackArtifact('aws-lambda', root);
  const config = join(root, 'floatip.control.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      controlPlane: {
        providers: { gcp: { project: 'p' } },
        worker: { lockTtlMs: 120_000 },
        groups: [
          {
            ...group('gcp', { zone: 'z', instance: 'i' }),
            resources: [{ id: 'r', provider: 'gcp', kind: 'alias-ip', spec: { ipCidrRange: '10.0.0.1/32' } }],
          },
        ],
      },
    }),
  );
  const http = lineChild(
    t,
    [join(import.meta.dirname, '../functions/aws-lambda/lambda-runtime.ts'), root, 'http.handler'],
    {
      cwd: root,
      env: { PATH: process.env.PATH, FLOATIP_CONFIG: config, FLOATIP_LOG_LEVEL: 'silent' },
    },
  );
  const r = (await http.ask(httpApiEvent('GET', '/healthz'))) as { ok: boolean; error: string };
  assert.equal(r.ok, false);
  assert.match(
    r.error,
    /the 'gcp' provider is not in the aws-lambda artifact \(it carries: memory, aws, dns\)/,
  );
});

/** The files `entry` (in `dir`) loads by static import, itself included, with their text. */
function staticClosure(dir: string, entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const todo = [entry];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    seen.set(f, text);
    // esbuild's chunk imports: `import{a}from"./chunk-X.mjs"` and `import"./chunk-X.mjs"` (not import()).
    for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)) if (m[1]) todo.push(m[1]);
  }
  return seen;
}

test("a function's cold start loads BullMQ's add-job script, not its Queue or Worker", async () => {
  await ensureArtifacts();
  // The HTTP handler of each artifact (Azure's and GCP's module also holds their timer trigger).
  for (const [target, entry] of [
    ['aws-lambda', 'http.mjs'],
    ['azure-functions', 'index.mjs'],
    ['gcp-functions', 'index.mjs'],
  ] as const) {
    const dir = join(defaultOutDir, target);
    const closure = staticClosure(dir, entry);
    const text = [...closure.values()].join('\n');
    assert.match(text, /Adds a job to the queue/, `${target}: BullMQ's addStandardJob script is there`);
    // Markers of what stays out: Queue's job scheduler, a Worker's finishing script, cron-parser's luxon,
    // the YAML reader (the shipped config is JSON).
    for (const marker of ['upsertJobScheduler', 'moveToFinished', 'Luxon', 'YAMLParseError'])
      assert.ok(!text.includes(marker), `${target}: ${marker} in ${[...closure.keys()].join(' ')}`);
    // ...and BullMQ still ships, behind import(), for listing jobs and draining the queue.
    const all = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
    assert.ok(
      all.some((f) => !closure.has(f) && readFileSync(join(dir, f), 'utf8').includes('moveToFinished')),
      `${target}: BullMQ is in the artifact`,
    );
  }
});
