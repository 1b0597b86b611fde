/**
 * The baselines of bench:functions: a bare hono app with one route, wired to each platform the way
 * floatip's handlers are (hono/aws-lambda `handle`, an Azure v4 `app.http` calling `app.fetch`, a
 * functions-framework `ff.http` calling `app.fetch`), bundled by the same esbuild options as the artifacts,
 * answering the bench's webhook (its JSON body parsed) with 202.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { banner, repoRoot } from '../../scripts/functions/build.ts';
import { targets, type TargetName } from '../../scripts/functions/targets.ts';

// The bench's request (an Alertmanager webhook): the body parsed, 202 with a count.
const hono = `import { Hono } from 'hono';
const app = new Hono();
app.post('/v1/webhooks/alertmanager', async (c) => {
  const body = await c.req.json();
  return c.json({ accepted: body.alerts.length, jobs: [] }, 202);
});
`;
const sources: Record<TargetName, Record<string, string>> = {
  'aws-lambda': {
    http: `${hono}import { handle } from 'hono/aws-lambda';\nexport const handler = handle(app);\n`,
  },
  'azure-functions': {
    index: `${hono}import { app as az } from '@azure/functions';
az.http('floatip', { methods: ['GET', 'POST'], authLevel: 'anonymous', route: '{*path}', handler: async (req) => {
  const url = new URL(req.url); url.pathname = url.pathname.replace(/^\\/api/, '');
  const res = await app.fetch(new Request(url, { method: req.method, headers: req.headers, body: await req.arrayBuffer() }));
  return { status: res.status, headers: Object.fromEntries(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
} });
`,
  },
  'gcp-functions': {
    index: `${hono}import * as ff from '@google-cloud/functions-framework';
ff.http('floatip', async (req, res) => {
  const r = await app.fetch(new Request('http://' + req.headers.host + req.originalUrl, { method: req.method, headers: { 'content-type': 'application/json' }, body: req.rawBody }));
  res.status(r.status); r.headers.forEach((v, k) => res.setHeader(k, v)); res.send(Buffer.from(await r.arrayBuffer()));
});
`,
  },
};

/** Writes and bundles the baseline of `target` into `dir` (with the artifact's package.json files). */
export async function buildBare(target: TargetName, dir: string): Promise<void> {
  const t = targets.find((x) => x.name === target);
  if (!t) throw new Error(target);
  const src = join(repoRoot, '.tmp', `bare-${target}`);
  mkdirSync(src, { recursive: true });
  const entries = Object.entries(sources[target]).map(([out, code]) => {
    const file = join(src, `${out}.ts`);
    writeFileSync(file, code);
    return { in: file, out };
  });
  await build({
    absWorkingDir: repoRoot,
    entryPoints: entries,
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outExtension: { '.js': '.mjs' },
    mainFields: ['module', 'main'],
    external: [...t.external],
    banner: { js: banner },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'external',
    logLevel: 'error',
  });
  for (const [file, text] of Object.entries(t.files('0.0.0', { '@google-cloud/functions-framework': '*' })))
    writeFileSync(join(dir, file), text);
}
