/** `floatip agent` refuses a bad config with file:line and exits (nothing left running); `floatip status` without an agent says so. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skipUnless } from '../../helpers/prerequisites.ts';

const launcher = fileURLToPath(new URL('../../../bin/floatip.mjs', import.meta.url));
/** The agent checks CAP_NET_RAW before it reads its config: those tests need root. */
const noRoot = await skipUnless(['root']);
const floatip = (args: string[]) =>
  spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('floatip agent / status CLI', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 5 naming file, line and field for an invalid keepalived.conf', (t) => {
    if (noRoot) return t.skip(noRoot);
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, 'vrrp_instance X {\n  interface lo\n  virtual_router_id 300\n}\n');
    const r = floatip(['agent', '--config', conf, '--socket', join(dir, 'a.sock')]);
    assert.equal(r.signal, null, 'the agent exited on its own (no socket kept it alive)');
    assert.equal(r.status, 5);
    assert.match(r.stderr, /bad\.conf:3:\d+: error: '300' is not a valid virtual_router_id/);
  });

  it('exits 5 for an interface that does not exist', (t) => {
    if (noRoot) return t.skip(noRoot);
    const conf = join(dir, 'noif.conf');
    writeFileSync(
      conf,
      'vrrp_instance X {\n  interface nosuch0\n  virtual_router_id 3\n  unicast_src_ip 10.1.1.1\n  virtual_ipaddress {\n    10.1.1.9\n  }\n}\n',
    );
    const r = floatip(['agent', '--config', conf, '--socket', join(dir, 'b.sock')]);
    assert.equal(r.signal, null);
    assert.equal(r.status, 5);
    assert.match(r.stderr, /no network interface named "nosuch0"/);
  });

  it('status without a running agent exits 1 and says no agent is listening', () => {
    const r = floatip(['status', '--socket', join(dir, 'none.sock')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no floatip agent is listening on .*none\.sock/);
  });
});
