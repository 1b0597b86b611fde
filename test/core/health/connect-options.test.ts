// keepalived.conf connection keywords (reference keepalived.md §3.1) reach the probe request unchanged,
// and a link-local bindto / connect_ip without bind_if is a config error, not a silent no-op.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import { checkersFromConfig, probeRequest } from '../../../core/health/index.ts';

function translate(checker: string) {
  const r = parseKeepalived(`virtual_server 10.0.0.1 80 {
  real_server 10.0.0.2 80 {
${checker}
  }
}
`);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  const vs = r.config.virtualServers[0];
  const rs = vs?.realServers[0];
  assert.ok(vs && rs);
  return checkersFromConfig({ vs, rs });
}

test('connect_ip, connect_port, bindto, bind_port, bind_if and fwmark reach every connection probe', () => {
  const opts = `connect_ip 10.0.0.9
      connect_port 8081
      bindto 10.0.0.5
      bind_port 4000
      bind_if eth1
      fwmark 7
      connect_timeout 2`;
  const tr = translate(`    TCP_CHECK { ${opts} }
    HTTP_GET { ${opts}
      url { path / } }
    SSL_GET { ${opts}
      url { path / } }
    SMTP_CHECK { ${opts} }
    DNS_CHECK { ${opts} }
    UDP_CHECK { ${opts} }`);
  assert.deepEqual(tr.errors, []);
  assert.deepEqual(tr.notes, []);
  assert.equal(tr.specs.length, 6);
  for (const spec of tr.specs) {
    const req = probeRequest(spec, 0);
    assert.ok('port' in req);
    assert.deepEqual(
      [req.host, req.port, req.bindTo, req.bindPort, req.bindIf, req.fwmark, req.timeoutMs],
      ['10.0.0.9', 8081, '10.0.0.5', 4000, 'eth1', 7, 2000],
      spec.id,
    );
  }
});

test('a link-local bindto or connect_ip without bind_if is refused, naming the checker', () => {
  const tr = translate(`    TCP_CHECK {
      bindto fe80::1
    }
    TCP_CHECK {
      connect_ip fe80::2
    }
    TCP_CHECK {
      connect_ip fe80::2
      bindto fe80::1
      bind_if eth0
    }`);
  assert.equal(tr.specs.length, 1);
  assert.equal(tr.specs[0]?.connect.bindIf, 'eth0');
  assert.equal(tr.errors.length, 2);
  assert.match(tr.errors[0] ?? '', /TCP_CHECK #1: bindto fe80::1 is link-local and needs bind_if/);
  assert.match(tr.errors[1] ?? '', /TCP_CHECK #2: connect_ip fe80::2 is link-local and needs bind_if/);
});
