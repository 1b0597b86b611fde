// @needs root iproute2 keepalived
/**
 * floatip's BFD against the real keepalived 2.2.7 BFD process, in a netns lab: the two sessions reach Up
 * with each other; stopping keepalived, killing it or cutting the link takes floatip's session Down within
 * the detection time, the VRRP instance with an unweighted track_bfd goes FAULT and the one with a weighted
 * track_bfd loses the weight and the real server with a BFD_CHECK leaves the LVS table; everything comes
 * back when keepalived or the link does.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BfdSessionStatus } from '../../../core/app/bfd-service.ts';
import { encodeBfdControl, type BfdRejectCounts } from '../../../core/bfd/index.ts';
import { controlRequest } from '../../../adapters/system/control-server.ts';
import type { LvsStatus } from '../../../functions/agent/lvs-agent.ts';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from '../vrrp/lib/floatip.ts';

/** keepalived timers: 50 ms × 3 → floatip's detection time is 150 ms once Up. */
const MIN_MS = 50;
const MULT = 3;

const floatipConfig = (neighbor: string) => `bfd_instance to_ka {
    neighbor_ip ${neighbor}
    min_rx ${MIN_MS}
    min_tx ${MIN_MS}
    multiplier ${MULT}
}

vrrp_instance VI_FAULT {
    state BACKUP
    interface eth0
    virtual_router_id 71
    priority 100
    advert_int 0.2
    track_bfd {
        to_ka
    }
    virtual_ipaddress {
        10.99.0.171/24
    }
}

virtual_server 10.99.0.173 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${neighbor} 80 {
        BFD_CHECK {
            name to_ka
        }
    }
}

vrrp_instance VI_WEIGHT {
    state BACKUP
    interface eth0
    virtual_router_id 72
    priority 100
    advert_int 0.2
    track_bfd {
        to_ka weight -30
    }
    virtual_ipaddress {
        10.99.0.172/24
    }
}
`;

const keepalivedConfig = (neighbor: string) => `global_defs {
    router_id ka_bfd
}

bfd_instance to_floatip {
    neighbor_ip ${neighbor}
    min_rx ${MIN_MS}
    min_tx ${MIN_MS}
    multiplier ${MULT}
}
`;

interface Ka {
  child: ChildProcess;
  log(): string;
  stop(signal: NodeJS.Signals): Promise<void>;
}

describe('floatip BFD with keepalived 2.2.7', () => {
  let lab: Lab;
  let agent: RunningFloatip | undefined;
  let ka: Ka | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fip-bfd-ka-'));

  /** keepalived with only its BFD process wanted (-B off, no -P): VRRP/checker children idle. */
  let starts = 0;
  const startKa = (): Ka => {
    // Fresh pid files per start: keepalived refuses to start over a killed run's ("already running").
    const run = join(dir, `run${++starts}`);
    mkdirSync(run);
    const cfg = join(run, 'keepalived.conf');
    writeFileSync(cfg, keepalivedConfig(lab.nodes['d1']!.ipv4));
    const child = lab.spawn('d2', [
      'keepalived',
      '-n',
      '-l',
      '-D',
      '-f',
      cfg,
      ...['-p', join(run, 'ka.pid'), '-r', join(run, 'vrrp.pid'), '-c', join(run, 'chk.pid')],
      ...['-b', join(run, 'bfd.pid')],
    ]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return {
      child,
      log: () => out,
      async stop(signal) {
        if (signal === 'SIGKILL')
          // Parent and children at once: a parent left alive would respawn its BFD child, whose first
          // packet (Down) ends our session with diag 3 before the detection time runs out.
          lab.exec('d2', ['sh', '-c', `kill -KILL ${child.pid ?? 0} $(pgrep -P ${child.pid ?? 0})`], {
            allowFail: true,
          });
        else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
    };
  };
  const bfdStatus = async () =>
    (await controlRequest(agent!.socketPath, 'bfd', 5000)) as {
      sessions: BfdSessionStatus[];
      rejects: BfdRejectCounts;
    };
  const session = async () => (await bfdStatus()).sessions.find((s) => s.name === 'to_ka');
  /** Sends one BFD Down packet from d2 to the agent's port 3784 with the given TTL (Node dgram). */
  const sendDown = (ttl: number) => {
    const hex = Buffer.from(
      encodeBfdControl({
        diag: 0,
        state: 'Down',
        poll: false,
        final: false,
        cpi: false,
        auth: false,
        demand: false,
        multipoint: false,
        detectMult: 3,
        myDiscr: 0x5eed,
        yourDiscr: 0,
        desiredMinTxUs: 1_000_000,
        requiredMinRxUs: 1_000_000,
        requiredMinEchoRxUs: 0,
      }),
    ).toString('hex');
    const script =
      `const s = require('node:dgram').createSocket('udp4');` +
      `s.bind(49999, () => { s.setTTL(${ttl}); s.send(Buffer.from('${hex}', 'hex'), 3784, '${lab.nodes['d1']!.ipv4}', () => s.close()); });`;
    lab.exec('d2', [process.execPath, '-e', script]);
  };
  /** Whether the LVS side has the BFD_CHECKed real server in its table. */
  const rsInTable = async () => {
    const lvs = (await controlRequest(agent!.socketPath, 'lvs', 5000)) as LvsStatus | null;
    assert.ok(lvs && !lvs.error, `LVS side not running: ${lvs?.error}`);
    return lvs.services.some((s) => s.destinations.some((d) => d.addr === lab.nodes['d2']!.ipv4));
  };
  const instance = async (name: string) => (await agent!.status()).instances.find((i) => i.name === name);

  const waitUp = async (what: string) => {
    await waitFor(
      `${what}: floatip's session Up`,
      async () => ((await session())?.state === 'Up' ? true : undefined),
      30_000,
    );
    await waitFor(`${what}: VI_FAULT MASTER`, async () =>
      (await instance('VI_FAULT'))?.state === 'MASTER' ? true : undefined,
    );
    await waitFor(`${what}: VI_WEIGHT back at priority 100`, async () =>
      (await instance('VI_WEIGHT'))?.effectivePriority === 100 ? true : undefined,
    );
    await waitFor(`${what}: the BFD_CHECKed real server in the LVS table`, async () =>
      (await rsInTable()) ? true : undefined,
    );
  };
  /** Waits for the session to leave Up; returns ms from `t0` as observed (for the report, not asserted). */
  const waitDown = async (what: string, t0: number) => {
    await waitFor(
      `${what}: floatip's session Down`,
      async () => ((await session())?.state !== 'Up' ? true : undefined),
      30_000,
    );
    const took = performance.now() - t0;
    await waitFor(`${what}: VI_FAULT FAULT`, async () =>
      (await instance('VI_FAULT'))?.state === 'FAULT' ? true : undefined,
    );
    await waitFor(`${what}: VI_WEIGHT at 70`, async () =>
      (await instance('VI_WEIGHT'))?.effectivePriority === 70 ? true : undefined,
    );
    await waitFor(`${what}: the BFD_CHECKed real server out of the LVS table`, async () =>
      (await rsInTable()) ? undefined : true,
    );
    return took;
  };

  before(async () => {
    assertLabPrerequisites(['keepalived']);
    lab = createLab({ directors: 2, client: false });
    agent = startFloatip(lab, 'd1', floatipConfig(lab.nodes['d2']!.ipv4));
    await agent.ready();
  });
  after(async () => {
    await ka?.stop('SIGKILL');
    if (agent) {
      await agent.kill();
      agent.cleanup();
    }
    lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a neighbour the session stays Down and the unweighted track_bfd keeps VI_FAULT in FAULT', async () => {
    await waitFor('VI_FAULT FAULT', async () =>
      (await instance('VI_FAULT'))?.state === 'FAULT' ? true : undefined,
    );
    assert.notEqual((await session())?.state, 'Up');
    assert.equal((await instance('VI_WEIGHT'))?.effectivePriority, 70);
    await waitFor('BFD_CHECK to take the real server out', async () =>
      (await rsInTable()) ? undefined : true,
    );
  });

  it('drops a single-hop packet that arrives with TTL below 255 (rfc5881 §5) and takes one with 255', async () => {
    const before = (await bfdStatus()).rejects['bad-ttl'] ?? 0;
    sendDown(254);
    await waitFor('the TTL 254 packet to be counted as bad-ttl', async () =>
      ((await bfdStatus()).rejects['bad-ttl'] ?? 0) > before ? true : undefined,
    );
    assert.equal((await session())?.state, 'Down');
    assert.equal((await session())?.remoteDiscr, 0);
    sendDown(255);
    // Accepted: the session learns the sender's discriminator and answers Down with Init (rfc5880 §6.8.6).
    await waitFor('the TTL 255 packet to move the session to Init', async () => {
      const s = await session();
      return s?.remoteDiscr === 0x5eed || s?.state === 'Init' ? true : undefined;
    });
    // Nobody answers: the session falls back to Down after the detection time (3 × 1 s).
    await waitFor('the session to fall back to Down', async () =>
      (await session())?.state === 'Down' ? true : undefined,
    );
  });

  it('reaches Up with keepalived, and keepalived with us', async () => {
    ka = startKa();
    await waitUp('keepalived started');
    // keepalived's BFD child logs to syslog only; its state is what it puts on the wire.
    const s = (await session())!;
    assert.equal(s.remoteState, 'Up', 'keepalived does not report Up in its packets');
    assert.match(ka.log(), /Starting BFD child process/);
    assert.equal(s.detectionTimeMs, MULT * MIN_MS);
    assert.notEqual(s.remoteDiscr, 0);
  });

  it('SIGHUP keeps the session (same discriminator) and a new instance with track_bfd learns it is Up', async () => {
    const before = (await session())!;
    const extra = `
vrrp_instance VI_NEW {
    state BACKUP
    interface eth0
    virtual_router_id 74
    priority 100
    advert_int 0.2
    track_bfd {
        to_ka
    }
    virtual_ipaddress {
        10.99.0.174/24
    }
}
`;
    agent!.writeConfig(floatipConfig(lab.nodes['d2']!.ipv4) + extra);
    agent!.signal('SIGHUP');
    await waitFor('VI_NEW MASTER', async () =>
      (await instance('VI_NEW'))?.state === 'MASTER' ? true : undefined,
    );
    const after = (await session())!;
    assert.equal(after.state, 'Up');
    assert.equal(after.localDiscr, before.localDiscr);
  });

  it('SIGKILL of keepalived: Down by detection time, FAULT and weight; Up again when it restarts', async () => {
    const t0 = performance.now();
    await ka!.stop('SIGKILL');
    const took = await waitDown('keepalived killed', t0);
    const s = (await session())!;
    assert.ok(s.diag === 1, `diag ${s.diag}, expected 1 (control detection time expired)`);
    console.log(
      `# BFD down ${took.toFixed(0)} ms after SIGKILL (detection time ${MULT * MIN_MS} ms + polling)`,
    );
    ka = startKa();
    await waitUp('keepalived restarted');
  });

  it('graceful stop of keepalived: Down (AdminDown or silence), FAULT; Up again when it restarts', async () => {
    await ka!.stop('SIGTERM');
    await waitDown('keepalived stopped', performance.now());
    ka = startKa();
    await waitUp('keepalived restarted');
  });

  it('cutting the link: Down, FAULT and weight; restoring it: Up, MASTER', async () => {
    const t0 = performance.now();
    lab.setLink('d2', false);
    try {
      const took = await waitDown('link cut', t0);
      console.log(`# BFD down ${took.toFixed(0)} ms after the link cut`);
    } finally {
      lab.setLink('d2', true);
    }
    await waitUp('link restored');
  });
});
