import type { protos } from '@google-cloud/compute';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import {
  mutateAndWait,
  noRetry,
  patchJson,
  requestIdOf,
  type GcpContext,
  type GcpMember,
} from './context.ts';
import type { AccessConfigSpec, AliasIpSpec } from './specs.ts';

type Instance = protos.google.cloud.compute.v1.IInstance;
type Nic = protos.google.cloud.compute.v1.INetworkInterface;
type State = Map<string, Instance>;

const key = (m: GcpMember): string => `${m.spec.zone}/${m.spec.instance}`;
const nicOf = (s: State, m: GcpMember): Nic | undefined =>
  s.get(key(m))?.networkInterfaces?.find((n) => n.name === m.spec.networkInterface);

/** How an instance-based kind sees and changes one member's network interface. */
interface NicKind {
  what: string;
  holds(nic: Nic | undefined): boolean;
  /** Writes that remove it from `m` (stage given). */
  remove(ctx: GcpContext, m: GcpMember, nic: Nic, stage: number): Write[];
  /** Writes that add it to `m` (stage given). */
  add(ctx: GcpContext, m: GcpMember, nic: Nic, stage: number): Write[];
}

/** Shared driver of alias-ip and access-config: read every member instance, remove (stage 0), add (stage 1). */
function instanceDriver(ctx: GcpContext, id: string, kind: NicKind, target: GcpMember): KindDriver<State> {
  const members = [...new Map(ctx.members.map((m) => [key(m), m])).values()];
  return {
    async read(log): Promise<Outcome<State>> {
      const outs = await Promise.all(members.map((m) => ctx.instances.get(key(m), log)));
      const s: State = new Map();
      for (const [i, o] of outs.entries()) {
        if (o.kind !== 'ok') return o;
        s.set(key(members[i] as GcpMember), o.value);
      }
      return { kind: 'ok', value: s };
    },
    observe: (s) => ({
      resource: id,
      holder: ctx.members.find((m) => kind.holds(nicOf(s, m)))?.id ?? null,
      detail: {
        [kind.what]: true,
        interfaces: ctx.members.map((m) => ({
          member: m.id,
          instance: key(m),
          fingerprint: nicOf(s, m)?.fingerprint ?? null,
        })),
      },
    }),
    acquireWrites(s) {
      const tnic = nicOf(s, target);
      if (!tnic)
        return { kind: 'give-up', reason: `${id}: ${key(target)} has no ${target.spec.networkInterface}` };
      if (kind.holds(tnic)) return { kind: 'ok', value: [] };
      const writes: Write[] = [];
      for (const m of ctx.members) {
        const nic = nicOf(s, m);
        if (m.id !== target.id && nic && kind.holds(nic)) writes.push(...kind.remove(ctx, m, nic, 0));
      }
      writes.push(...kind.add(ctx, target, tnic, 1));
      return { kind: 'ok', value: writes };
    },
    releaseWrites(s) {
      const tnic = nicOf(s, target);
      if (!tnic || !kind.holds(tnic)) return { kind: 'ok', value: [] };
      return { kind: 'ok', value: kind.remove(ctx, target, tnic, 0) };
    },
  };
}

/**
 * updateNetworkInterface with the whole alias list and the interface's fingerprint (a PATCH + wait).
 * The method has PATCH semantics (a field left out is left unchanged), so the body always names
 * `aliasIpRanges`, also when it is empty: that is how the last alias is removed. It is sent beside the
 * SDK (patchJson), whose REST encoder would drop the empty list and leave the alias in place.
 */
function patchAliases(
  ctx: GcpContext,
  m: GcpMember,
  nic: Nic,
  aliasIpRanges: Array<{ ipCidrRange: string; subnetworkRangeName?: string }>,
  stage: number,
): Write {
  const body = { aliasIpRanges, fingerprint: nic.fingerprint ?? '' };
  const where = { zone: m.spec.zone, instance: m.spec.instance, networkInterface: m.spec.networkInterface };
  const rid = requestIdOf(ctx, 'instances.updateNetworkInterface', { ...where, body });
  const params = { ...where, requestId: rid, body };
  return {
    stage,
    call: { service: 'compute', operation: 'instances.updateNetworkInterface', params },
    run: (log) =>
      mutateAndWait(
        ctx,
        log,
        'instances.updateNetworkInterface',
        params,
        (requestId) =>
          patchJson(
            ctx.clients,
            `projects/${encodeURIComponent(ctx.project)}/zones/${encodeURIComponent(m.spec.zone)}/instances/${encodeURIComponent(m.spec.instance)}/updateNetworkInterface`,
            { networkInterface: m.spec.networkInterface, requestId },
            body,
          ),
        { zone: m.spec.zone },
      ),
  };
}

const ranges = (nic: Nic): Array<{ ipCidrRange: string; subnetworkRangeName?: string }> =>
  (nic.aliasIpRanges ?? []).map((r) => ({
    ipCidrRange: r.ipCidrRange ?? '',
    ...(r.subnetworkRangeName ? { subnetworkRangeName: r.subnetworkRangeName } : {}),
  }));

/** An alias IP range moved between members' interfaces; the rest of each alias list is kept. */
export function aliasIpDriver(
  ctx: GcpContext,
  id: string,
  spec: AliasIpSpec,
  target: GcpMember,
): KindDriver<State> {
  return instanceDriver(
    ctx,
    id,
    {
      what: 'aliasIp',
      holds: (nic) => (nic?.aliasIpRanges ?? []).some((r) => r.ipCidrRange === spec.ipCidrRange),
      remove: (c, m, nic, stage) => [
        patchAliases(
          c,
          m,
          nic,
          ranges(nic).filter((r) => r.ipCidrRange !== spec.ipCidrRange),
          stage,
        ),
      ],
      add: (c, m, nic, stage) => [
        patchAliases(
          c,
          m,
          nic,
          [
            ...ranges(nic),
            {
              ipCidrRange: spec.ipCidrRange,
              ...(spec.subnetworkRangeName ? { subnetworkRangeName: spec.subnetworkRangeName } : {}),
            },
          ],
          stage,
        ),
      ],
    },
    target,
  );
}

/**
 * A static external IP as a one-to-one NAT access config: deleteAccessConfig on the old holder (and on
 * the new one if it has an ephemeral config), then addAccessConfig with natIP on the new one.
 */
export function accessConfigDriver(
  ctx: GcpContext,
  id: string,
  spec: AccessConfigSpec,
  target: GcpMember,
): KindDriver<State> {
  const del = (c: GcpContext, m: GcpMember, nic: Nic, name: string, stage: number): Write => {
    const where = {
      zone: m.spec.zone,
      instance: m.spec.instance,
      accessConfig: name,
      networkInterface: m.spec.networkInterface,
    };
    const rid = requestIdOf(c, 'instances.deleteAccessConfig', {
      ...where,
      fingerprint: nic.fingerprint ?? null,
    });
    const params = { ...where, requestId: rid };
    return {
      stage,
      call: { service: 'compute', operation: 'instances.deleteAccessConfig', params },
      run: (log) =>
        mutateAndWait(
          c,
          log,
          'instances.deleteAccessConfig',
          params,
          (requestId) =>
            c.clients.instances.deleteAccessConfig({ project: c.project, ...params, requestId }, noRetry),
          { zone: m.spec.zone },
        ),
    };
  };
  return instanceDriver(
    ctx,
    id,
    {
      what: 'accessConfig',
      holds: (nic) => (nic?.accessConfigs ?? []).some((a) => a.natIP === spec.natIp),
      remove: (c, m, nic, stage) =>
        (nic.accessConfigs ?? [])
          .filter((a) => a.natIP === spec.natIp)
          .map((a) => del(c, m, nic, a.name ?? spec.name, stage)),
      add(c, m, nic, stage) {
        // An interface has at most one access config: drop an ephemeral one first.
        const drop = (nic.accessConfigs ?? []).map((a) => del(c, m, nic, a.name ?? 'external-nat', stage));
        const body = { name: spec.name, type: 'ONE_TO_ONE_NAT', natIP: spec.natIp };
        const rid = requestIdOf(c, 'instances.addAccessConfig', {
          zone: m.spec.zone,
          instance: m.spec.instance,
          body,
          fingerprint: nic.fingerprint ?? null,
        });
        const params = {
          zone: m.spec.zone,
          instance: m.spec.instance,
          networkInterface: m.spec.networkInterface,
          requestId: rid,
          body,
        };
        const add: Write = {
          stage: stage + 1,
          call: { service: 'compute', operation: 'instances.addAccessConfig', params },
          run: (log) =>
            mutateAndWait(
              c,
              log,
              'instances.addAccessConfig',
              params,
              (requestId) =>
                c.clients.instances.addAccessConfig(
                  {
                    project: c.project,
                    zone: m.spec.zone,
                    instance: m.spec.instance,
                    networkInterface: m.spec.networkInterface,
                    accessConfigResource: body,
                    requestId,
                  },
                  noRetry,
                ),
              { zone: m.spec.zone },
            ),
        };
        return [...drop, add];
      },
    },
    target,
  );
}
