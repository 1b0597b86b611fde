/** Every cloud example in examples/ is accepted by the checks floatip runs before it starts. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCloudSection } from '../../functions/agent/cloud-setup.ts';
import { loadControlPlaneConfig } from '../../functions/control-plane/index.ts';

const dir = join(import.meta.dirname, '../../examples');

test('the cloud examples pass the cloud section and provider checks', () => {
  const files = readdirSync(dir).filter((f) => /^cloud-.*\.yaml$/.test(f));
  assert.ok(files.length >= 5, files.join(', '));
  for (const f of files) {
    const r = loadCloudSection(join(dir, f));
    assert.ok(r.ok, `${f}: ${r.ok ? '' : r.errors.join('\n')}`);
  }
});

test('the control-plane examples load with every provider setting checked', async () => {
  for (const f of readdirSync(dir).filter((x) => /^floatip\.control.*\.yaml$/.test(x))) {
    const c = await loadControlPlaneConfig(join(dir, f));
    assert.ok(c.groups.length > 0, f);
  }
});
