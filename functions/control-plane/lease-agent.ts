import type { Epoch } from '../../core/model/index.ts';
import { conflict, ok } from '../../core/model/index.ts';
import type { Fence } from '../../core/ports/index.ts';
import { runFailover } from '../../core/app/index.ts';
import { warmProviders } from '../shared/providers.ts';
import { waitReady } from '../../adapters/redis/index.ts';
import { createLogger } from '../../adapters/system/index.ts';
import { ControlConfigError, loadControlPlaneConfig } from './config.ts';
import { startLeaseElection } from './lease.ts';
import type { RunIo } from './run.ts';
import { buildControlPlane } from './shared.ts';

export interface LeaseAgentOptions {
  configPath: string;
  /** This agent's member id in the config; its priority is the member's. */
  member: string;
  /** The group to elect for; may be omitted when the member is in exactly one group. */
  group?: string;
  /** VRRP tie-break between equal priorities (the higher address wins). */
  address?: string;
  /** Advert interval; Master_Down is 3 × interval + skew, as in VRRP. */
  intervalMs?: number;
  stop: Promise<void>;
  io: RunIo;
}

/**
 * A stand-in address for a member that has none configured: adverts from one's own address are ignored
 * (as on the wire), so members must differ. 127.0.0.0/8 from an FNV-1a hash of the id, stable per member.
 */
export function memberAddress(id: string): string {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return `127.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${(h & 255) | 1}`;
}

/**
 * `floatip lease-agent`: a member of one group elected over Redis leases (the VRRP reducer with Redis as
 * transport, for members that cannot reach each other on the wire). On MASTER it takes every resource of
 * the group through the providers with the lease's fencing epoch; it prints each state change as one line
 * (`<member> MASTER epoch N`, `<member> BACKUP`, ...). Returns an exit code.
 */
export async function runLeaseAgent(o: LeaseAgentOptions): Promise<number> {
  const say = (text: string) => o.io.out(`${o.member} ${text}`);
  let config;
  try {
    config = await loadControlPlaneConfig(o.configPath);
  } catch (err) {
    if (err instanceof ControlConfigError) {
      for (const l of err.lines) o.io.err(l);
      return 5;
    }
    throw err;
  }
  const groups = config.groups.filter(
    (g) => (o.group === undefined || g.id === o.group) && g.members.some((m) => m.id === o.member),
  );
  if (groups.length !== 1) {
    o.io.err(
      groups.length === 0
        ? `${o.configPath}: controlPlane.groups: no group${o.group === undefined ? '' : ` '${o.group}'`} has member '${o.member}'`
        : `${o.configPath}: controlPlane.groups: member '${o.member}' is in ${groups.map((g) => g.id).join(', ')}; pass --group`,
    );
    return 5;
  }
  const group = groups[0]!;
  const me = group.members.find((m) => m.id === o.member)!;
  let cp;
  try {
    cp = buildControlPlane(config, {
      logger: createLogger({ name: 'floatip-lease', level: process.env.FLOATIP_LOG_LEVEL ?? 'warn' }),
    });
  } catch (err) {
    if (err instanceof ControlConfigError) {
      for (const l of err.lines) o.io.err(l);
      return 5;
    }
    throw err;
  }
  try {
    try {
      await waitReady(cp.workerRedis, 3000);
    } catch (err) {
      o.io.err(`floatip lease-agent: ${(err as Error).message} (controlPlane.redis.url in ${o.configPath})`);
      return 1;
    }
    let work: Promise<void> = Promise.resolve();
    /** The epoch this agent is master under, null while not master (set by the election's callbacks). */
    let held: Epoch | null = null;
    // The lease is the fence: acting is allowed while this node is MASTER under the same epoch.
    const fence = electionFence(() => held);
    // Runs after the election step, never inside it: a slow provider must not delay the adverts.
    const takeAll = async (epoch: Epoch): Promise<void> => {
      if (held !== epoch) return say(`stopped acting at epoch ${epoch}: no longer master`);
      const out = await runFailover(
        { ...cp.worker, fence },
        {
          group,
          job: {
            kind: 'failover',
            key: `lease|${group.id}|${me.id}|${epoch}`,
            group: group.id,
            to: me.id,
            action: 'failover',
            reason: `lease election: ${me.id} is MASTER at epoch ${epoch}`,
            source: 'lease',
          },
        },
      );
      if (out.kind !== 'ok') return say(`failover at epoch ${epoch}: ${out.kind}: ${out.reason}`);
      for (const r of out.value.resources)
        say(
          r.outcome === 'ok'
            ? `acquired ${r.resource} (${r.changed ? 'changed' : 'unchanged'}) epoch ${epoch}`
            : `acquire ${r.resource} failed at epoch ${epoch}: ${r.outcome}: ${r.reason ?? ''}`,
        );
    };
    // The adapters load now, not inside the first failover (a second of CPU would outlast the lease).
    await warmProviders(Object.values(cp.providers));
    const election = await startLeaseElection(cp, {
      scope: group.id,
      node: me.id,
      address: o.address ?? memberAddress(me.id),
      priority: me.priority,
      intervalMs: o.intervalMs ?? 1000,
      onMaster: (epoch) => {
        held = epoch;
        say(`MASTER epoch ${epoch}`);
        work = work.then(() => takeAll(epoch));
      },
      onBackup: () => {
        held = null;
        say('BACKUP');
      },
      onLeaseLost: (epoch) => {
        held = null;
        say(`lease lost at epoch ${epoch}`);
      },
    });
    say(
      `started (group ${group.id}, priority ${me.priority}, interval ${o.intervalMs ?? 1000} ms, redis prefix '${config.redis.prefix}')`,
    );
    if (election.role !== 'BACKUP' && election.role !== 'MASTER') say(election.role);
    await o.stop;
    await election.stop();
    await work;
    say('STOPPED');
    return 0;
  } finally {
    await cp.close();
  }
}

/** The lease agent's fence: MASTER of the lease election under one epoch; settling re-checks it in Redis. */
function electionFence(heldEpoch: () => Epoch | null): Fence {
  return {
    acquire: (group) => {
      const epoch = heldEpoch();
      if (epoch === null) return Promise.resolve(conflict('not MASTER of the lease election'));
      return Promise.resolve(
        ok({
          group,
          epoch,
          check: () =>
            Promise.resolve(heldEpoch() === epoch ? ok(undefined) : conflict(`lease epoch ${epoch} lost`)),
          release: () => Promise.resolve(),
        }),
      );
    },
    current: () => Promise.resolve(ok(heldEpoch() ?? 0)),
  };
}
