// The agent's LVS side diffs only what it programmed: services already in the kernel table that the config
// does not name (an admin's, another tool's) stay, unless lvs_flush hands the table over at start. Runs
// createLvs against an in-memory LbDataplane (the kernel here has no IPVS, which is where this matters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbTable } from '../../../core/ports/index.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import { seededRandom, silentLogger } from '../../../adapters/memory/index.ts';
import { MemoryDataplane } from '../../helpers/memory-dataplane.ts';
import { createLvs } from '../../../functions/agent/lvs.ts';

/** An IPVS-like table in memory: list order, refusals, no I/O. */

const quiet = silentLogger;

const foreign: LbTable = {
  services: [
    {
      key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.9.9.9', port: 443 },
      scheduler: 'wlc',
      flags: { flag1: false, flag2: false, flag3: false },
      onePacket: false,
      persistence: null,
      destinations: [],
    },
  ],
};

const conf = (flush: boolean): string => `
${flush ? 'global_defs {\n    lvs_flush\n}' : ''}
virtual_server 10.0.0.100 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 80 {
        weight 2
    }
}
`;

async function run(flush: boolean): Promise<LbTable> {
  const parsed = parseKeepalived(conf(flush), { file: 'k.conf' });
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.diagnostics));
  const plane = new MemoryDataplane(foreign);
  const lvs = createLvs({
    config: parsed.config,
    dataplane: plane,
    probe: { run: async () => ({ ok: true, detail: '', durationMs: 0 }) },
    random: seededRandom(1),
    log: quiet,
  });
  await lvs.start();
  const during = plane.table;
  await lvs.stop();
  assert.deepEqual(
    plane.table.services.map((s) => s.key),
    flush ? [] : [foreign.services[0]?.key],
    'stop removes only what the agent programmed',
  );
  return during;
}

test('services the config does not name are left alone', async () => {
  const table = await run(false);
  assert.deepEqual(
    table.services.map(
      (s) =>
        `${s.key.kind === 'addr' ? s.key.addr : ''} ${s.scheduler} ${s.destinations.map((d) => `${d.addr}=${d.weight}`).join(',')}`,
    ),
    ['10.9.9.9 wlc ', '10.0.0.100 rr 10.0.0.11=2'],
  );
});

test('lvs_flush hands the whole table over at start', async () => {
  const table = await run(true);
  assert.deepEqual(
    table.services.map((s) => (s.key.kind === 'addr' ? s.key.addr : '')),
    ['10.0.0.100'],
  );
});
