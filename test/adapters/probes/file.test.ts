import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileProbe } from '../../../adapters/probes/index.ts';

test('FILE_CHECK reports the integer in the file, fails on missing or non-numeric files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'weight');
  writeFileSync(f, ' -12\n');
  const r = await fileProbe({ kind: 'file', path: f, timeoutMs: 1_000 });
  assert.equal(r.ok, true);
  assert.equal(r.code, -12);
  writeFileSync(f, 'up\n');
  const bad = await fileProbe({ kind: 'file', path: f, timeoutMs: 1_000 });
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /no integer/);
  const missing = await fileProbe({ kind: 'file', path: join(dir, 'nope'), timeoutMs: 1_000 });
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /ENOENT/);
});
