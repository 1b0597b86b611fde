// What a VRRP-only agent loads: the agent's modules (the CLI's `agent` command and the composition root)
// bring neither node:http nor, through it, Node's bundled undici (imported as an ES module, node:http
// loads undici, whose ~0.8 MB source then stays on the heap; the metrics server imports it when asked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

test('the agent command and run-agent load no node:http and no undici', () => {
  const script = `
    await import('./functions/cli/commands/agent.ts');
    await import('./functions/agent/run-agent.ts');
    const loaded = process.moduleLoadList.filter((m) => /undici|NativeModule http$/.test(m));
    console.log(JSON.stringify(loaded));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim()), []);
});
