import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const pinned = (
  JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  }
).packages['node_modules/node']?.version;

test('on a Node older than engines asks, npm ci runs under the pinned Node 24, built against its own headers', (t) => {
  // A checkout without node_modules: the script decides from its own folder's package-lock.json.
  const dir = mkdtempSync(join(tmpdir(), 'floatip-setup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(root, 'scripts', 'setup.mjs'), join(dir, 'scripts', 'setup.mjs'));
  copyFileSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
  const plan = (node: string) =>
    spawnSync(process.execPath, [join(dir, 'scripts', 'setup.mjs'), '--dry-run', '--as-node', node], {
      encoding: 'utf8',
    }).stdout.trim();
  const headers = `--nodedir=${join(dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`)}`;
  assert.ok(pinned?.startsWith('24.'), `package-lock pins node ${pinned}`);
  assert.equal(
    plan('20.20.2'),
    `npm exec --yes --package=node@${pinned} -- npm ci --no-audit --no-fund ${headers}`,
  );
  assert.equal(
    plan('22.17.0'),
    `npm exec --yes --package=node@${pinned} -- npm ci --no-audit --no-fund ${headers}`,
  );
  assert.equal(plan('22.18.0'), `npm ci --no-audit --no-fund ${headers}`);
  assert.equal(plan('24.21.0'), `npm ci --no-audit --no-fund ${headers}`);
});

test('package.json engines and the README name the same Node', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, '>=22.18');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, /Node\.js >= 22\.18/);
  assert.doesNotMatch(readme, /Node\.js >= 20\b/);
});

test('the architecture is described in the repository, and its docs point nowhere outside it', () => {
  assert.match(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'), /^# How floatip is built/);
  for (const f of ['README.md', 'docs/architecture.md', 'eslint.config.js', '.dependency-cruiser.cjs'])
    assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /\.\.\/shared\//, f);
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /g\+\+ make python3/);
});
