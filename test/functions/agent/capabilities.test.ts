/** The agent names missing capabilities up front, from CapEff, and refuses to start without them. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  describeMissing,
  effectiveCapabilities,
  missingCapabilities,
} from '../../../functions/agent/capabilities.ts';
import { skipUnless } from '../../helpers/prerequisites.ts';

/** Dropping capabilities with setpriv needs root. */
const noRoot = await skipUnless(['root']);
const status = (capEff: string) =>
  `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

describe('agent capabilities', () => {
  it('reads CapEff as a bit set', () => {
    assert.equal(effectiveCapabilities(status('0000000000003000')), 0x3000n);
    assert.throws(() => effectiveCapabilities('Name: x\n'), /no CapEff line/);
  });

  it('lists exactly the capabilities that are missing', () => {
    assert.deepEqual(missingCapabilities(['CAP_NET_RAW', 'CAP_NET_ADMIN'], status('000001ffffffffff')), []);
    assert.deepEqual(missingCapabilities(['CAP_NET_RAW', 'CAP_NET_ADMIN'], status('0000000000001000')), [
      'CAP_NET_RAW',
    ]);
    assert.deepEqual(missingCapabilities(['CAP_NET_RAW', 'CAP_NET_ADMIN'], status('0000000000000000')), [
      'CAP_NET_RAW',
      'CAP_NET_ADMIN',
    ]);
  });

  it('explains what each missing capability is for', () => {
    assert.equal(describeMissing([]), undefined);
    const text = describeMissing(['CAP_NET_RAW']) ?? '';
    assert.match(text, /lacks CAP_NET_RAW \(raw VRRP sockets/);
    assert.match(text, /AmbientCapabilities=CAP_NET_RAW/);
  });

  it('`floatip agent` without CAP_NET_RAW/CAP_NET_ADMIN exits with that message and changes nothing', (t) => {
    if (noRoot) return t.skip(noRoot);
    const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-caps-'));
    try {
      const conf = join(dir, 'keepalived.conf');
      writeFileSync(
        conf,
        'vrrp_instance VI_1 {\n  interface lo\n  virtual_router_id 9\n  virtual_ipaddress {\n    10.99.9.9/32\n  }\n}\n',
      );
      const launcher = fileURLToPath(new URL('../../../bin/floatip.mjs', import.meta.url));
      let stderr = '';
      let code = 0;
      try {
        execFileSync(
          'setpriv',
          [
            '--inh-caps=-net_raw,-net_admin',
            '--bounding-set=-net_raw,-net_admin',
            process.execPath,
            launcher,
            'agent',
            '--config',
            conf,
            '--socket',
            join(dir, 'agent.sock'),
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
      } catch (e) {
        const err = e as { status: number; stderr: string };
        code = err.status;
        stderr = err.stderr;
      }
      assert.notEqual(code, 0);
      assert.match(stderr, /lacks CAP_NET_RAW .* and CAP_NET_ADMIN/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
