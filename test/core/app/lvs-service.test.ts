// The LVS use case on in-memory ports, without root: a manual clock and timers decide when checks run, a
// scripted probe decides what they see, the table lives in memory. What the agent does with a real server
// that fails and comes back (its destination leaves and returns, notify_down / notify_up are queued), a
// SIGHUP-style reload (only the difference reaches the data plane, health state survives), ha_suspend
// (checks follow the virtual address) and a failed apply (tried again on the retry timer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { Config } from '../../../core/model/index.ts';
import type { LbApplyReport, LbOp, LbTable, Probe, ProbeRequest } from '../../../core/ports/index.ts';
import type { Outcome } from '../../../core/model/index.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import { createLvsService, RETRY_TIMER, type LvsRunner } from '../../../core/app/lvs-service.ts';
import {
  ManualClock,
  ManualTimers,
  MemoryAddresses,
  RecordingScripts,
  seededRandom,
  silentLogger,
  timerHealthDriver,
} from '../../../adapters/memory/index.ts';
import { MemoryDataplane } from '../../helpers/memory-dataplane.ts';

function parse(text: string): Config {
  const r = parseKeepalived(text, { file: 'keepalived.conf' });
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config;
}

/** Real servers answer unless their host is in `down`; every probed host is counted. */
class ScriptedProbe implements Probe {
  readonly down = new Set<string>();
  readonly probed = new Map<string, number>();
  async run(request: ProbeRequest) {
    const host = 'host' in request ? request.host : '';
    this.probed.set(host, (this.probed.get(host) ?? 0) + 1);
    const ok = !this.down.has(host);
    return { ok, detail: ok ? 'connected' : 'refused', durationMs: 0 };
  }
}

/** Keeps every batch of operations it was asked to apply; can be told to refuse the next applies. */
class RecordingPlane extends MemoryDataplane {
  readonly batches: LbOp[][] = [];
  failNext = 0;
  override async apply(ops: readonly LbOp[]): Promise<Outcome<LbApplyReport>> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return { kind: 'retry', reason: 'the data plane is busy' };
    }
    this.batches.push([...ops]);
    return super.apply(ops);
  }
}

/** Each service's destinations with their weights, by address (the data plane lists the newest first, as IPVS does). */
const weights = (table: LbTable): string[] =>
  table.services.map((s) =>
    s.destinations
      .map((d) => `${d.addr}=${d.weight}`)
      .sort()
      .join(','),
  );

/** Lets the promises a timer started (probe results, reconciles) run to completion. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await tick();
};

function rig(config: Config, extra: { addresses?: MemoryAddresses } = {}) {
  const clock = new ManualClock(1_000);
  const timers = new ManualTimers(clock);
  const probe = new ScriptedProbe();
  const plane = new RecordingPlane();
  const scripts = new RecordingScripts();
  const lvs: LvsRunner = createLvsService({
    config,
    dataplane: plane,
    probe,
    random: seededRandom(7),
    log: silentLogger,
    clock,
    timers,
    driveHealth: timerHealthDriver(timers),
    scripts,
    retryMs: 5_000,
    ...(extra.addresses ? { addresses: extra.addresses } : {}),
  });
  /** Moves time on `seconds`, one second at a time, letting each second's checks finish. */
  const run = async (seconds: number): Promise<void> => {
    for (let i = 0; i < seconds; i++) await timers.advance(1_000, settle);
  };
  return { clock, timers, probe, plane, scripts, lvs, run };
}

const pair = (extra = '') => `
virtual_server 10.0.0.100 80 {
    delay_loop 1
    lb_algo wrr
    lb_kind NAT
    protocol TCP
    real_server 10.0.0.11 80 {
        weight 2
        notify_down "/usr/local/bin/rs-down 11"
        notify_up "/usr/local/bin/rs-up 11"
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server 10.0.0.12 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
${extra}}
`;

test('a real server that fails its checks leaves the pool, runs notify_down, and returns when it answers', async () => {
  const { probe, plane, scripts, lvs, run } = rig(parse(pair()));
  await lvs.start();
  assert.deepEqual(
    weights(plane.table),
    ['10.0.0.11=2,10.0.0.12=1'],
    'programmed at start, before any check',
  );
  await run(3);
  assert.ok((probe.probed.get('10.0.0.11') ?? 0) > 0, 'checks ran on the manual clock');

  probe.down.add('10.0.0.11');
  await run(4);
  assert.deepEqual(weights(plane.table), ['10.0.0.12=1'], 'the failed server is out of the table');
  assert.deepEqual(
    scripts.runs.map((r) => [r.why, ...r.argv]),
    [['notify_down', '/usr/local/bin/rs-down', '11']],
  );
  assert.deepEqual(
    lvs.servers().map((s) => `${s.rs} ${s.up ? 'up' : 'down'}`),
    ['10.0.0.11:80 down', '10.0.0.12:80 up'],
  );

  probe.down.delete('10.0.0.11');
  await run(4);
  assert.deepEqual(weights(plane.table), ['10.0.0.11=2,10.0.0.12=1'], 'back with its weight');
  assert.equal(scripts.runs.at(-1)?.why, 'notify_up');
  await lvs.stop();
  assert.deepEqual(plane.table.services, [], 'stop removes what the agent programmed');
});

test('inhibit_on_failure keeps a failed server in the table at weight 0', async () => {
  const text = pair().replace('weight 1\n', 'weight 1\n        inhibit_on_failure\n');
  const { probe, plane, lvs, run } = rig(parse(text));
  await lvs.start();
  probe.down.add('10.0.0.12');
  await run(5);
  assert.deepEqual(weights(plane.table), ['10.0.0.11=2,10.0.0.12=0']);
  await lvs.stop();
});

test('reload (SIGHUP): only the difference is applied, and a server that was down stays down', async () => {
  const { probe, plane, lvs, run } = rig(parse(pair()));
  await lvs.start();
  probe.down.add('10.0.0.12');
  await run(5);
  assert.deepEqual(weights(plane.table), ['10.0.0.11=2']);
  const before = plane.batches.length;

  // The new file: .11's weight changes, .13 is added; .12 is still in the file (and still failing).
  const next = pair(`    real_server 10.0.0.13 80 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
`).replace('weight 2', 'weight 5');
  await lvs.reload(parse(next));
  const ops = plane.batches.slice(before).flat();
  assert.deepEqual(
    ops.map((o) => `${o.kind} ${'dest' in o ? o.dest.addr : ''}`),
    ['add-dest 10.0.0.13', 'edit-dest 10.0.0.11'],
    'no service re-created, .12 not re-added before a check says it is up',
  );
  assert.deepEqual(weights(plane.table), ['10.0.0.11=5,10.0.0.13=3']);

  probe.down.delete('10.0.0.12');
  await run(5);
  assert.deepEqual(weights(plane.table), ['10.0.0.11=5,10.0.0.12=1,10.0.0.13=3']);
  await lvs.stop();
});

const suspended = `
virtual_server 10.0.0.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    ha_suspend
    real_server 10.0.0.21 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
virtual_server 10.0.0.200 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.31 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

test('ha_suspend: checks run only while the virtual address is on this director', async () => {
  const addresses = new MemoryAddresses();
  const { probe, plane, lvs, run } = rig(parse(suspended), { addresses });
  await lvs.start();
  await run(4);
  assert.equal(probe.probed.get('10.0.0.21') ?? 0, 0, 'suspended: the address is not here');
  assert.ok((probe.probed.get('10.0.0.31') ?? 0) > 0, 'the virtual server without ha_suspend is checked');
  assert.deepEqual(weights(plane.table), ['10.0.0.21=1', '10.0.0.31=1'], 'the pool stays programmed');

  addresses.add('10.0.0.100');
  await run(4);
  const resumed = probe.probed.get('10.0.0.21') ?? 0;
  assert.ok(resumed > 0, 'the address arrived: checks resumed');

  addresses.remove('10.0.0.100');
  await run(1);
  const at = probe.probed.get('10.0.0.21') ?? 0;
  await run(4);
  assert.equal(probe.probed.get('10.0.0.21') ?? 0, at, 'the address left: checks stopped again');
  await lvs.stop();
});

test('a refused apply is tried again on the retry timer, from a fresh read', async () => {
  const { timers, plane, lvs } = rig(parse(pair()));
  plane.failNext = 1;
  await assert.rejects(lvs.start(), /busy/);
  assert.deepEqual(plane.table.services, [], 'nothing applied yet');
  assert.ok(timers.due(RETRY_TIMER) !== undefined, 'the retry is armed');
  await timers.advance(5_000, settle);
  assert.deepEqual(weights(plane.table), ['10.0.0.11=2,10.0.0.12=1']);
  await lvs.stop();
  assert.equal(timers.due(RETRY_TIMER), undefined);
});
