// lvsView: what the LVS side keeps of a configuration once its checkers run. The desired table and the
// LVS scripts come out the same from it as from the whole configuration, and it holds no checker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../../core/model/index.ts';
import type { ScriptQueue } from '../../../core/ports/index.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import { desiredTable, lvsView, poolConfig, vsKey, type LvsConfig } from '../../../core/app/lvs-desired.ts';
import { lvsEffects } from '../../../core/app/lvs-effects.ts';
import { desiredPool, initialPool, stepPool } from '../../../core/lb/rules.ts';
import { silentLogger } from '../../../adapters/memory/index.ts';

function parse(text: string): Config {
  const r = parseKeepalived(text, { file: 'keepalived.conf' });
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config;
}

const config = parse(`
global_defs {
  script_user nobody
  lvs_timeouts tcp 900 tcpfin 30 udp 60
}
virtual_server_group G {
  10.0.0.50 80
  10.0.0.60-61 80
}
virtual_server 10.0.0.1 80 {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  sorry_server 10.0.0.99 8080
  quorum_up "/bin/quorum up"
  real_server 10.0.0.11 8080 {
    weight 3
    uthreshold 100
    lthreshold 10
    notify_up "/bin/up 11"
    notify_down "/bin/down 11" root
    TCP_CHECK {
      connect_timeout 2
    }
  }
  real_server 10.0.0.12 8080 {
    weight 1
    HTTP_GET {
      url {
        path /
        status_code 200
      }
    }
  }
}
virtual_server group G {
  lb_algo rr
  lb_kind DR
  protocol TCP
  real_server 10.0.0.21 80 {
    MISC_CHECK {
      misc_path "/bin/check 21"
    }
  }
}
`);

/** Every pool started with its address present, some real servers failed: weights and sorry server move. */
function pools(c: Config) {
  return c.virtualServers.map((vs, i) => {
    let pool = stepPool(initialPool(poolConfig(c, vs)), { kind: 'start', addressPresent: true }).state;
    if (i === 0)
      pool = stepPool(pool, { kind: 'rs-alive', rs: `${vsKey(vs)}/10.0.0.12:8080`, alive: false }).state;
    return desiredPool(pool);
  });
}

test('the desired table from lvsView is the one from the whole configuration', () => {
  const view = lvsView(config);
  assert.deepEqual(desiredTable(view, pools(config)), desiredTable(config, pools(config)));
  assert.ok(desiredTable(view, pools(config)).services.length >= 4);
});

test('lvsView keeps no checker, and each real server only what the LVS side reads', () => {
  const view = lvsView(config);
  for (const vs of view.virtualServers)
    for (const rs of vs.realServers) {
      assert.equal('checkers' in rs, false);
      for (const key of Object.keys(rs))
        assert.ok(
          [
            'address',
            'port',
            'weight',
            'uthreshold',
            'lthreshold',
            'forwarding',
            'notifyUp',
            'notifyDown',
          ].includes(key),
          key,
        );
    }
  assert.deepEqual(view.globalDefs, {
    lvsTimeouts: config.globalDefs.lvsTimeouts,
    scriptUser: config.globalDefs.scriptUser,
  });
});

test('LVS scripts run the same from lvsView as from the whole configuration', () => {
  const runs = (c: () => LvsConfig) => {
    const out: unknown[] = [];
    const queue: ScriptQueue = {
      run: (argv, why, who) => void out.push([argv, why, who]),
      idle: async () => undefined,
    };
    const effect = lvsEffects(c, silentLogger, queue);
    const vs = config.virtualServers[0];
    assert.ok(vs);
    effect({ kind: 'notify-rs', rs: `${vsKey(vs)}/10.0.0.11:8080`, up: true });
    effect({ kind: 'notify-rs', rs: `${vsKey(vs)}/10.0.0.11:8080`, up: false });
    effect({ kind: 'notify-rs', rs: `${vsKey(vs)}/10.0.0.12:8080`, up: false });
    effect({ kind: 'run-script', script: 'quorum_up', argv: ['/bin/quorum', 'up'] });
    return out;
  };
  const view = lvsView(config);
  const whole = runs(() => config);
  assert.deepEqual(
    runs(() => view),
    whole,
  );
  assert.equal(whole.length, 3);
});
