/**
 * The agent's module graph loads no cloud SDK unless a cloud section exists (they cost ~1 s of CPU at
 * start-up). A child Node records every module it loads through a module hook; importing the agent's
 * composition root (and the `floatip agent` command) must load none from @aws-sdk, @azure, @google-cloud,
 * google-auth-library or @smithy. Even cloud mode's composition loads none until a provider is called:
 * the one provider composition (functions/shared/providers.ts) loads an adapter on its first call. A
 * control import of an adapter module proves the probe sees them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mayHaveCloud } from '../../../functions/agent/cloud-lazy.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const sdk = /\/node_modules\/(@aws-sdk|@azure|@google-cloud|google-auth-library|@smithy)\//;

describe('cloud SDKs load lazily', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fip-cloud-lazy-'));
    writeFileSync(
      join(dir, 'hook.mjs'),
      `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ load(url, context, next) { seen.add(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.LOADED_OUT, [...seen].join('\\n')));
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The module URLs a child loads when it imports `modules` (paths relative to the repository). */
  const loaded = (modules: string[]): string[] => {
    const out = join(dir, `loaded-${modules.length}-${Math.random().toString(36).slice(2)}.txt`);
    const code = modules.map((m) => `await import(${JSON.stringify(join(root, m))});`).join('\n');
    const r = spawnSync(
      process.execPath,
      ['--import', join(dir, 'hook.mjs'), '--input-type=module', '-e', code],
      {
        env: { ...process.env, LOADED_OUT: out },
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8').split('\n');
  };

  it('importing the agent (run-agent.ts, the agent command) loads no cloud SDK module', () => {
    const urls = loaded(['functions/agent/run-agent.ts', 'functions/cli/commands/agent.ts']);
    assert.ok(urls.some((u) => u.endsWith('/functions/agent/run-agent.ts')));
    assert.deepEqual(
      urls.filter((u) => sdk.test(u)),
      [],
    );
  });

  it('cloud mode and the provider composition load no SDK until a provider is called', () => {
    const urls = loaded(['functions/agent/cloud-mode.ts', 'functions/shared/providers.ts']);
    assert.deepEqual(
      urls.filter((u) => sdk.test(u)),
      [],
    );
  });

  it('control: an adapter module does load them (the probe would see a static import come back)', () => {
    const urls = loaded(['adapters/aws/module.ts']);
    assert.ok(urls.filter((u) => sdk.test(u)).length > 10);
  });

  it('mayHaveCloud: keepalived.conf only with floatip-cloud.yaml beside it; native only with a cloud key', async () => {
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {}\n');
    assert.equal(await mayHaveCloud(conf), false);
    writeFileSync(join(dir, 'floatip-cloud.yaml'), 'cloud: {}\n');
    assert.equal(await mayHaveCloud(conf), true);
    writeFileSync(join(dir, 'plain.yaml'), 'vrrpInstances: {}\n');
    assert.equal(await mayHaveCloud(join(dir, 'plain.yaml')), false);
    writeFileSync(join(dir, 'cloudy.yaml'), 'cloud:\n  group: g\n');
    assert.equal(await mayHaveCloud(join(dir, 'cloudy.yaml')), true);
    writeFileSync(join(dir, 'broken.json'), '{');
    assert.equal(await mayHaveCloud(join(dir, 'broken.json')), true, 'unparsable: left to the full loader');
  });
});
