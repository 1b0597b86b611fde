/**
 * The agent loads its config through the shared loader: `include` with a wildcard pulls in instance and
 * script files, for the VRRP side (loadPlan, also used by SIGHUP reload) and for `lvs-table`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openAddressManager } from '../../../adapters/onprem/rtnetlink/index.ts';
import { loadPlan } from '../../../functions/agent/index.ts';
import { loadConfigOrThrow } from '../../../functions/shared/load-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'floatip-include-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'conf.d'));
const main = join(dir, 'keepalived.conf');
writeFileSync(main, `global_defs {\n    router_id include_test\n}\ninclude conf.d/*.conf\n`);
writeFileSync(
  join(dir, 'conf.d', '10-script.conf'),
  `vrrp_script chk_inc {\n    script "/bin/true"\n    interval 2\n}\n`,
);
writeFileSync(
  join(dir, 'conf.d', '20-instance.conf'),
  `vrrp_instance VI_INC {
    interface lo
    virtual_router_id 77
    priority 100
    unicast_src_ip 127.0.0.1
    track_script {
        chk_inc
    }
    virtual_ipaddress {
        127.0.0.77/32
    }
}
virtual_server 127.0.0.77 80 {
    lb_algo rr
    protocol TCP
    real_server 127.0.0.1 8080 {
    }
}
`,
);

it('the agent plan includes instances and scripts from an included wildcard', async () => {
  const addresses = openAddressManager();
  try {
    const plan = await loadPlan(main, addresses);
    assert.deepEqual(
      plan.instances.map((i) => i.spec.name),
      ['VI_INC'],
    );
    assert.equal(plan.instances[0]?.spec.vrid, 77);
    assert.deepEqual(plan.scripts['chk_inc']?.argv, ['/bin/true']);
    assert.equal(plan.scripts['chk_inc']?.intervalMs, 2000);
  } finally {
    addresses.close();
  }
});

it('the LVS side sees virtual servers from an included file', () => {
  const config = loadConfigOrThrow(main);
  assert.deepEqual(
    config.virtualServers.map((v) => v.service),
    [{ kind: 'address', address: '127.0.0.77', port: 80 }],
  );
});

it('a missing config file is an error naming it', () => {
  assert.throws(() => loadConfigOrThrow(join(dir, 'nope.conf')), /nope\.conf.*file not found/);
});
