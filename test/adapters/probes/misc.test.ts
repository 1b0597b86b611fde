import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { miscProbe } from '../../../adapters/probes/index.ts';

function script(dir: string, name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  return !alive(pid);
}

test('MISC_CHECK reports the exit status of a real script with its arguments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-misc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = script(dir, 'check.sh', 'exit "$1"');
  const ok = await miscProbe({ kind: 'misc', argv: [s, '0'], timeoutMs: 5_000 });
  assert.deepEqual([ok.ok, ok.code], [true, 0]);
  const down = await miscProbe({ kind: 'misc', argv: [s, '1'], timeoutMs: 5_000 });
  assert.deepEqual([down.ok, down.code], [false, 1]);
  const weight = await miscProbe({ kind: 'misc', argv: [s, '42'], timeoutMs: 5_000 });
  assert.equal(weight.code, 42);
  const missing = await miscProbe({ kind: 'misc', argv: [join(dir, 'nope')], timeoutMs: 5_000 });
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /ENOENT/);
});

test('MISC_CHECK timeout fails and kills the whole process group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-misc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'child.pid');
  const s = script(dir, 'hang.sh', `sleep 30 &\necho $! > ${pidFile}\nwait`);
  const r = await miscProbe({ kind: 'misc', argv: [s], timeoutMs: 300 });
  assert.equal(r.ok, false);
  assert.match(r.detail, /timed out/);
  assert.equal(r.code, undefined);
  assert.ok(existsSync(pidFile));
  const child = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(await waitGone(child), `grandchild ${child} survived the timeout`);
});

test('MISC_CHECK: a script that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-misc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'self.pid');
  const s = script(dir, 'stubborn.sh', `trap '' TERM\necho $$ > ${pidFile}\nwhile :; do sleep 0.1; done`);
  const r = await miscProbe({ kind: 'misc', argv: [s], timeoutMs: 300 });
  assert.equal(r.ok, false);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(await waitGone(pid), `script ${pid} survived SIGKILL`);
});
