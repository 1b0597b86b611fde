// BFD_CHECK: keepalived.conf -> a checker whose verdict follows the named BFD session, decided by one
// result (retry 0) and polled every BFD_CHECK_POLL_MS; the probe adapter reads the session through a lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import {
  BFD_CHECK_POLL_MS,
  checkerSpecErrors,
  checkersFromConfig,
  probeRequest,
} from '../../../core/health/index.ts';
import { createProbeRunner } from '../../../adapters/probes/index.ts';

const conf = `
bfd_instance nbr {
  neighbor_ip 192.0.2.1
}
virtual_server 192.0.2.10 80 {
  protocol TCP
  delay_loop 30
  real_server 192.0.2.1 80 {
    BFD_CHECK {
      name nbr
    }
  }
  real_server 192.0.2.2 80 {
    BFD_CHECK {
      name nbr
      alpha
    }
  }
}
`;

test('BFD_CHECK maps to a bfd probe: one result decides, polled fast, alpha honoured', () => {
  const r = parseKeepalived(conf);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  const vs = r.config.virtualServers[0]!;
  const [a, b] = vs.realServers.map((rs) => checkersFromConfig({ vs, rs, trackFiles: r.config.trackFiles }));
  assert.deepEqual(a!.errors, []);
  const spec = a!.specs[0]!;
  assert.deepEqual(spec.probe, { kind: 'bfd', name: 'nbr' });
  assert.equal(spec.timing.retry, 0);
  assert.equal(spec.timing.delayLoopMs, BFD_CHECK_POLL_MS);
  assert.equal(spec.timing.alpha, false);
  assert.equal(b!.specs[0]!.timing.alpha, true);
  assert.deepEqual(checkerSpecErrors(a!.specs), []);
  assert.deepEqual(probeRequest(spec, 0), { kind: 'bfd', name: 'nbr', timeoutMs: spec.connect.timeoutMs });
});

test('BFD_CHECK naming no bfd_instance is a config error with file:line', () => {
  const text = conf.replace('name nbr\n    }\n  }\n  real', 'name nope\n    }\n  }\n  real');
  const r = parseKeepalived(text);
  assert.equal(r.ok, false);
  if (r.ok) return;
  const d = r.diagnostics.find((x) => x.severity === 'error' && /nope/.test(x.message));
  assert.ok(d, r.diagnostics.map((x) => x.message).join('\n'));
  assert.equal(d.line, text.split('\n').findIndex((l) => l.includes('name nope')) + 1);
  assert.match(d.message, /bfd_instance 'nope'/);
});

test('the bfd probe passes only while the session is Up', async () => {
  const states: Record<string, boolean> = { up: true, down: false };
  const runner = createProbeRunner({ bfd: (name) => states[name] });
  const req = (name: string) => ({ kind: 'bfd' as const, name, timeoutMs: 1000 });
  assert.equal((await runner.run(req('up'))).ok, true);
  const down = await runner.run(req('down'));
  assert.equal(down.ok, false);
  assert.match(down.detail, /not Up/);
  const missing = await runner.run(req('gone'));
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /no such BFD session/);
  // Without a lookup (no BFD side in this process) every BFD_CHECK fails.
  assert.equal((await createProbeRunner().run(req('up'))).ok, false);
});
