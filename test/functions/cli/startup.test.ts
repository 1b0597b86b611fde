/**
 * The light commands stay light: `floatip help`, `status` and `check-config` must not load the cloud
 * SDKs, Redis clients or the HTTP server (seconds of CPU on a small machine, minutes under emulation).
 * Each heavy command imports its runtime when it runs; this fails if a static import brings one back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const HEAVY = ['@aws-sdk/', '@azure/', '@google-cloud/', 'google-auth-library', 'ioredis', 'bullmq', 'hono'];

/** Packages (outside our tree) that the CLI loads for `argv`. */
function packagesLoaded(argv: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fip-startup-'));
  const list = join(dir, 'loaded.json');
  try {
    // Written synchronously to a file at exit: a pipe write at exit can be cut short.
    const hook = `
      import { registerHooks } from 'node:module';
      import { writeFileSync } from 'node:fs';
      const seen = new Set();
      registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
      process.on('exit', () => writeFileSync(${JSON.stringify(list)}, JSON.stringify([...seen])));`;
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
    assert.ok(existsSync(list), `no module list written:\n${r.stderr}`);
    const urls = JSON.parse(readFileSync(list, 'utf8')) as string[];
    return urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test('the check itself notices a heavy package (floatip lease-agent loads the Redis client)', () => {
  const loaded = packagesLoaded([
    'lease-agent',
    '--config',
    'examples/floatip.control.yaml',
    '--member',
    'nobody',
  ]);
  assert.ok(
    loaded.some((p) => HEAVY.some((h) => p.startsWith(h))),
    `expected a heavy package among ${[...new Set(loaded)].join(' ')}`,
  );
});
