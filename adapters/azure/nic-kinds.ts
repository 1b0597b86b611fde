import type { NetworkInterface, NetworkInterfaceIPConfiguration } from '@azure/arm-network';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import { conditionHeader } from './client.ts';
import type { AzureContext, AzureMember } from './context.ts';
import { lroWatch } from './lro.ts';
import type { PublicIpSpec, SecondaryIpSpec } from './specs.ts';

type Nics = Map<string, NetworkInterface>;
type NicRef = { resourceGroup: string; name: string };

/** How a NIC-based kind finds, adds and removes its thing on one NIC. */
interface NicKind {
  what: string;
  holds(nic: NetworkInterface | undefined, m: AzureMember): boolean;
  /** The NIC's IP configurations with the thing added for member `m` (or a reason it cannot be). */
  add(nic: NetworkInterface, m: AzureMember): NetworkInterfaceIPConfiguration[] | string;
  remove(nic: NetworkInterface): NetworkInterfaceIPConfiguration[];
}

const nicRef = (m: AzureMember): NicRef | undefined => m.spec.networkInterface;
const nicKey = (r: NicRef): string => `${r.resourceGroup}/${r.name}`;

/**
 * Shared driver of public-ip and secondary-ip: read every member's NIC, then detach from the old holder's
 * NIC (stage 0) and attach to the new one (stage 1): two NIC PUTs, each with If-Match of the NIC's ETag,
 * each a long-running operation awaited before the next.
 */
function nicDriver(ctx: AzureContext, id: string, kind: NicKind, target: AzureMember): KindDriver<Nics> {
  const refs = new Map<string, NicRef>();
  for (const m of ctx.members) {
    const r = nicRef(m);
    if (r) refs.set(nicKey(r), r);
  }
  const holderOf = (s: Nics): string | null =>
    ctx.members.find((m) => {
      const r = nicRef(m);
      return r !== undefined && kind.holds(s.get(nicKey(r)), m);
    })?.id ?? null;
  const put = (
    ref: NicRef,
    nic: NetworkInterface,
    ipConfigurations: NetworkInterfaceIPConfiguration[],
    stage: number,
  ): Write => {
    const body: NetworkInterface = { ...nic, ipConfigurations };
    const condition = nic.etag ?? 'absent';
    const params = {
      resourceGroup: ref.resourceGroup,
      networkInterface: ref.name,
      ifMatch: condition,
      ipConfigurations,
    };
    return {
      stage,
      call: { service: 'network', operation: 'networkInterfaces.createOrUpdate', params },
      run: (log) =>
        ctx.serial(nicKey(ref), async () => {
          const watch = lroWatch();
          const out = await ctx.call(log, 'networkInterfaces.createOrUpdate', params, () =>
            watch.run(() =>
              ctx.client.networkInterfaces.beginCreateOrUpdateAndWait(ref.resourceGroup, ref.name, body, {
                updateIntervalInMs: ctx.lroPollMs,
                onResponse: watch.onResponse,
                requestOptions: { customHeaders: { [conditionHeader]: condition } },
              }),
            ),
          );
          // PrivateIPAddressIsAllocated is retried (transient: usually our own release of it on the old
          // NIC has not taken effect yet). Still refused after the retries, someone else holds it: a
          // conflict, so the move re-reads who does instead of overwriting.
          if (out.kind === 'retry' && out.cause?.code === 'PrivateIPAddressIsAllocated')
            return { kind: 'conflict' as const, reason: out.reason, cause: out.cause };
          return out;
        }),
    };
  };
  return {
    async read(log): Promise<Outcome<Nics>> {
      const list = [...refs.values()];
      const outs = await Promise.all(
        list.map((r) =>
          ctx.call(
            log,
            'networkInterfaces.get',
            { resourceGroup: r.resourceGroup, networkInterface: r.name },
            () => ctx.client.networkInterfaces.get(r.resourceGroup, r.name),
          ),
        ),
      );
      const nics: Nics = new Map();
      for (const [i, o] of outs.entries()) {
        if (o.kind !== 'ok') return o;
        nics.set(nicKey(list[i] as NicRef), o.value);
      }
      return { kind: 'ok', value: nics };
    },
    observe: (s) => ({
      resource: id,
      holder: holderOf(s),
      detail: {
        [kind.what]: true,
        nics: [...s.entries()].map(([k, nic]) => ({ nic: k, etag: nic.etag ?? null })),
      },
    }),
    acquireWrites(s) {
      const tref = nicRef(target);
      if (!tref)
        return { kind: 'give-up', reason: `${id}: member ${target.id} has no networkInterface in its spec` };
      const tnic = s.get(nicKey(tref));
      if (!tnic) return { kind: 'give-up', reason: `${id}: NIC ${nicKey(tref)} not read` };
      if (kind.holds(tnic, target)) return { kind: 'ok', value: [] };
      const writes: Write[] = [];
      for (const m of ctx.members) {
        const r = nicRef(m);
        if (!r || m.id === target.id || nicKey(r) === nicKey(tref)) continue;
        const nic = s.get(nicKey(r));
        if (nic && kind.holds(nic, m)) writes.push(put(r, nic, kind.remove(nic), 0));
      }
      const added = kind.add(tnic, target);
      if (typeof added === 'string') return { kind: 'give-up', reason: `${id}: ${added}` };
      writes.push(put(tref, tnic, added, 1));
      return { kind: 'ok', value: writes };
    },
    releaseWrites(s) {
      const tref = nicRef(target);
      const tnic = tref ? s.get(nicKey(tref)) : undefined;
      if (!tref || !tnic || !kind.holds(tnic, target)) return { kind: 'ok', value: [] };
      return { kind: 'ok', value: [put(tref, tnic, kind.remove(tnic), 0)] };
    },
  };
}

const sameId = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();
const configFor = (nic: NetworkInterface, m: AzureMember): NetworkInterfaceIPConfiguration | undefined =>
  (nic.ipConfigurations ?? []).find((c) =>
    m.spec.ipConfiguration ? c.name === m.spec.ipConfiguration : c.primary,
  );

/** A public IP on a member's NIC IP configuration (the primary one unless the member names another). */
export function publicIpDriver(
  ctx: AzureContext,
  id: string,
  spec: PublicIpSpec,
  target: AzureMember,
): KindDriver<Nics> {
  return nicDriver(
    ctx,
    id,
    {
      what: 'publicIp',
      holds: (nic) =>
        (nic?.ipConfigurations ?? []).some((c) => sameId(c.publicIPAddress?.id, spec.publicIpId)),
      add(nic, m) {
        const cfg = configFor(nic, m);
        if (!cfg) return `NIC ${nic.name} has no IP configuration ${m.spec.ipConfiguration ?? '(primary)'}`;
        return (nic.ipConfigurations ?? []).map((c) =>
          c === cfg ? { ...c, publicIPAddress: { id: spec.publicIpId } } : c,
        );
      },
      remove: (nic) =>
        (nic.ipConfigurations ?? []).map((c) => {
          if (!sameId(c.publicIPAddress?.id, spec.publicIpId)) return c;
          const { publicIPAddress: _dropped, ...rest } = c;
          return rest;
        }),
    },
    target,
  );
}

/** A secondary private IP: an IP configuration (Static) deleted from one NIC and recreated on another. */
export function secondaryIpDriver(
  ctx: AzureContext,
  id: string,
  spec: SecondaryIpSpec,
  target: AzureMember,
): KindDriver<Nics> {
  return nicDriver(
    ctx,
    id,
    {
      what: 'secondaryIp',
      holds: (nic) => (nic?.ipConfigurations ?? []).some((c) => c.privateIPAddress === spec.privateIp),
      add(nic) {
        const primary = (nic.ipConfigurations ?? []).find((c) => c.primary);
        if (!primary?.subnet?.id) return `NIC ${nic.name} has no primary IP configuration with a subnet`;
        return [
          ...(nic.ipConfigurations ?? []).filter((c) => c.name !== spec.ipConfigurationName),
          {
            name: spec.ipConfigurationName,
            privateIPAddress: spec.privateIp,
            privateIPAllocationMethod: 'Static',
            // IPv4 unless said: an IPv6 address in an ipconfig without it is refused
            ...(spec.privateIp.includes(':') ? { privateIPAddressVersion: 'IPv6' } : {}),
            primary: false,
            subnet: { id: primary.subnet.id },
          },
        ];
      },
      remove: (nic) => (nic.ipConfigurations ?? []).filter((c) => c.privateIPAddress !== spec.privateIp),
    },
    target,
  );
}
