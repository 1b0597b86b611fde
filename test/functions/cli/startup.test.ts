/**
 * The light commands stay light: `floatip help`, `status` and `check-config` must not load the cloud
 * SDKs, Redis clients or the HTTP server (seconds of CPU on a small machine, minutes under emulation).
 * Each heavy command imports its runtime when it runs; this fails if a static import brings one back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const HEAVY = ['@aws-sdk/', '@azure/', '@google-cloud/', 'google-auth-library', 'ioredis', 'bullmq', 'hono'];

/** Packages (outside our tree) that the CLI loads for `argv`. */
function packagesLoaded(argv: string[]): string[] {
  const hook = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
    process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify([...seen]) + '\\n'));`;
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(hook)}`,
      join(root, 'bin', 'floatip.mjs'),
      ...argv,
    ],
    { encoding: 'utf8', cwd: root },
  );
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, `no module list printed:\n${r.stderr}`);
  const urls = JSON.parse(line.slice('LOADED '.length)) as string[];
  return urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []);
}

for (const argv of [
  ['help'],
  ['status', '--socket', '/nonexistent/fip.sock'],
  ['check-config', 'examples/keepalived.conf'],
]) {
  test(`floatip ${argv[0]} loads no cloud SDK, Redis client or HTTP server`, () => {
    const loaded = packagesLoaded(argv);
    assert.ok(loaded.includes('zod') || argv[0] !== 'check-config', 'the hook sees packages at all');
    const heavy = loaded.filter((p) => HEAVY.some((h) => p.startsWith(h)));
    assert.deepEqual([...new Set(heavy)], []);
  });
}

test('the check itself notices a heavy package (floatip cloud loads the cloud SDKs)', () => {
  const loaded = packagesLoaded(['cloud', 'inspect', '--config', 'examples/floatip.yaml']);
  assert.ok(
    loaded.some((p) => HEAVY.some((h) => p.startsWith(h))),
    `expected a cloud SDK among ${[...new Set(loaded)].join(' ')}`,
  );
});
