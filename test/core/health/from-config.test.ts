// keepalived.conf text -> the config model (core/config) -> checker specs and pool rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import { checkersFromConfig, parseHex, probeRequest } from '../../../core/health/index.ts';
import { desiredPool, initialPool, poolFromConfig, realServerKey, stepPool } from '../../../core/lb/index.ts';

const conf = `
track_file weightfile {
  file /run/fip-hc/weight
}
virtual_server_group web {
  10.0.0.1-3 80
  fwmark 7
}
virtual_server 192.0.2.10 80 {
  protocol TCP
  lb_algo wrr
  delay_loop 3
  virtualhost vs.example
  quorum 3
  hysteresis 1
  quorum_down "/usr/local/bin/lost quorum"
  sorry_server 192.0.2.99 8080
  real_server 192.0.2.1 80 {
    weight 2
    inhibit_on_failure
    HTTP_GET {
      url {
        path /health
        status_code 200-204 301
        digest 5D41402ABC4B2A76B9719D911017C592
      }
      url {
        path /deep
        virtualhost url.example
      }
      connect_timeout 2
      retry 4
      fast_recovery
    }
    MISC_CHECK {
      misc_path "/bin/check 'a b'"
      misc_dynamic
    }
  }
  real_server 192.0.2.2 80 {
    TCP_CHECK {
      alpha
      connect_port 8080
      bindto 192.0.2.200
    }
    UDP_CHECK {
      payload 0a0b
    }
    FILE_CHECK {
      track_file weightfile
      weight 5
      dynamic
    }
    DNS_CHECK {
      type A
      name example.org
    }
  }
}
virtual_server group web {
  protocol TCP
  real_server 10.0.1.1 80 {
    weight 3
  }
}
`;

function parsed() {
  const r = parseKeepalived(conf);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config;
}

test('checker specs from keepalived.conf: timing cascade in ms, URLs, Host precedence, MISC argv', () => {
  const config = parsed();
  const vs = config.virtualServers[0];
  assert.ok(vs);
  const [rs1, rs2] = vs.realServers;
  assert.ok(rs1 && rs2);
  const one = checkersFromConfig({ vs, rs: rs1, trackFiles: config.trackFiles });
  assert.deepEqual(one.errors, []);
  const [http, misc] = one.specs;
  assert.ok(http?.probe.kind === 'http');
  assert.deepEqual(http.timing, {
    delayLoopMs: 3_000,
    retry: 4,
    delayBeforeRetryMs: 3_000,
    warmupMs: 3_000,
    alpha: false,
  });
  assert.deepEqual(http.connect, { host: '192.0.2.1', port: 80, timeoutMs: 2_000 });
  assert.equal(http.probe.fastRecovery, true);
  assert.deepEqual(http.probe.urls[0], {
    path: '/health',
    statusRanges: [
      [200, 204],
      [301, 301],
    ],
    digest: '5d41402abc4b2a76b9719d911017c592',
    virtualhost: 'vs.example',
  });
  assert.equal(http.probe.urls[1]?.virtualhost, 'url.example');
  assert.deepEqual(http.probe.urls[1]?.statusRanges, [[200, 299]]);
  const req = probeRequest(http, 1);
  assert.ok(req.kind === 'http');
  assert.equal(req.url.path, '/deep');
  assert.ok(misc?.probe.kind === 'misc');
  assert.deepEqual(misc.probe.argv, ['/bin/check', 'a b']);
  assert.equal(misc.probe.dynamic, true);
  assert.equal(misc.probe.timeoutMs, 3_000);
  assert.equal(misc.timing.retry, 0);
});

test('TCP alpha/connect_port/bindto, UDP requires a reply by default, FILE_CHECK resolved, DNS retry 3', () => {
  const config = parsed();
  const vs = config.virtualServers[0];
  const rs2 = vs?.realServers[1];
  assert.ok(vs && rs2);
  const t = checkersFromConfig({ vs, rs: rs2, trackFiles: config.trackFiles });
  assert.deepEqual(t.errors, []);
  const [tcp, udp, file, dns] = t.specs;
  assert.equal(tcp?.timing.alpha, true);
  assert.deepEqual(tcp?.connect, { host: '192.0.2.2', port: 8080, timeoutMs: 5_000, bindTo: '192.0.2.200' });
  assert.ok(udp?.probe.kind === 'udp');
  assert.deepEqual([...udp.probe.payload], [10, 11]);
  assert.equal(udp.probe.requireReply, '');
  const lax = checkersFromConfig({
    vs,
    rs: rs2,
    trackFiles: config.trackFiles,
    udpRequireReplyByDefault: false,
  });
  assert.ok(lax.specs[1]?.probe.kind === 'udp');
  assert.equal(lax.specs[1].probe.requireReply, null);
  assert.deepEqual(file?.probe, {
    kind: 'file',
    path: '/run/fip-hc/weight',
    weight: 5,
    reverse: false,
    dynamic: true,
  });
  assert.equal(dns?.timing.retry, 3);
  assert.equal(dns?.timing.delayBeforeRetryMs, 3_000);
  const missing = checkersFromConfig({ vs, rs: rs2, trackFiles: {} });
  assert.match(missing.errors.join('\n'), /track_file "weightfile" is not defined/);
  assert.throws(() => parseHex('0g', 'payload'), /payload: "0g" is not hex bytes/);
});

test('pool rules from keepalived.conf: quorum, sorry server, inhibit, alpha, groups with ranges', () => {
  const config = parsed();
  const [vs, grouped] = config.virtualServers;
  assert.ok(vs && grouped);
  const { config: pool, errors } = poolFromConfig(vs, config.virtualServerGroups);
  assert.deepEqual(errors, []);
  assert.deepEqual(pool.services, [
    { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '192.0.2.10', port: 80 },
  ]);
  assert.equal(pool.quorum, 3);
  assert.deepEqual(pool.quorumDown, ['/usr/local/bin/lost', 'quorum']);
  const a = realServerKey(vs, { address: '192.0.2.1', port: 80 });
  const b = realServerKey(vs, { address: '192.0.2.2', port: 80 });
  assert.deepEqual(
    pool.servers.map((s) => [s.id, s.weight, s.inhibit, s.alpha]),
    [
      [a, 2, true, false],
      [b, 1, false, true],
    ],
  );
  // 2 alive of weight 2 < quorum 3 + hysteresis 1 at start: the sorry server serves, a stays at weight 0
  const started = stepPool(initialPool(pool), { kind: 'start', addressPresent: true });
  assert.deepEqual([...desiredPool(started.state).destinations.values()], [0, 1]);
  assert.ok(started.effects.some((e) => e.kind === 'run-script' && e.script === 'quorum_down'));

  const g = poolFromConfig(grouped, config.virtualServerGroups);
  assert.deepEqual(g.errors, []);
  assert.deepEqual(
    g.config.services.map((s) => (s.kind === 'addr' ? `${s.addr}:${s.port}` : `fwmark ${s.fwmark}`)),
    ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', 'fwmark 7'],
  );
  const orphan = poolFromConfig(grouped, {});
  assert.match(orphan.errors.join(), /no virtual_server_group of that name/);
});
