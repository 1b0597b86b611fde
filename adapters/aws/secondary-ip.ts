import {
  AssignPrivateIpAddressesCommand,
  DescribeNetworkInterfacesCommand,
  UnassignPrivateIpAddressesCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver } from '../../core/failover/index.ts';
import { readAll, type AwsContext, type AwsMember } from './context.ts';
import type { SecondaryIpSpec } from './specs.ts';

interface State {
  /** The members' ENIs by id. */
  enis: Map<string, NetworkInterface>;
  /** Read only when no member's ENI has the address: an ENI outside the members that has it. */
  other: NetworkInterface | null;
}

const has = (eni: NetworkInterface | undefined, ip: string): boolean =>
  (eni?.PrivateIpAddresses ?? []).some((p) => p.PrivateIpAddress === ip && !p.Primary);

/**
 * A secondary private IP on a member's ENI. Moved with AssignPrivateIpAddresses; AllowReassignment only
 * on takeover (an elastic IP mapped to that private IP moves with it, per EC2).
 *
 * EC2 moves a reassigned address asynchronously: AssignPrivateIpAddresses answers before the address has
 * left the old ENI. A move is verified only when the new ENI has it AND no other member's ENI still does
 * (until then the verify read-back keeps retrying; after its budget the resource is reported failed, and
 * the failover `partial`): test "aws: a secondary IP still on the old ENI after the move is not
 * verified" in test/adapters/aws/real-api.test.ts.
 *
 * State: `mixed` while two members' ENIs show it; `foreign` when no member's ENI has it but another ENI
 * in the members' VPC does (found with the `addresses.private-ip-address` filter).
 */
export function secondaryIpDriver(
  ctx: AwsContext,
  id: string,
  spec: SecondaryIpSpec,
  target: AwsMember,
  takeover: boolean,
): KindDriver<State> {
  const eniIds = [...new Set(ctx.members.map((m) => m.spec.networkInterfaceId))];
  const holders = (s: State): string[] =>
    ctx.members.filter((m) => has(s.enis.get(m.spec.networkInterfaceId), spec.privateIp)).map((m) => m.id);
  const holdingEnis = (s: State): string[] =>
    [...s.enis.values()].filter((e) => has(e, spec.privateIp)).map((e) => e.NetworkInterfaceId ?? '');
  const findOther = async (
    enis: Map<string, NetworkInterface>,
    log: Parameters<KindDriver<State>['read']>[0],
  ): Promise<Outcome<NetworkInterface | null>> => {
    const vpc = [...enis.values()].find((e) => e.VpcId)?.VpcId;
    const params = {
      Filters: [
        { Name: 'addresses.private-ip-address', Values: [spec.privateIp] },
        ...(vpc ? [{ Name: 'vpc-id', Values: [vpc] }] : []),
      ],
    };
    const out = await ctx.call(log, 'DescribeNetworkInterfaces', params, () =>
      ctx.ec2.send(new DescribeNetworkInterfacesCommand(params)),
    );
    if (out.kind !== 'ok') return out;
    const other = (out.value.NetworkInterfaces ?? []).find(
      (e) => !enis.has(e.NetworkInterfaceId ?? '') && has(e, spec.privateIp),
    );
    return { kind: 'ok', value: other ?? null };
  };
  return {
    async read(log) {
      const enis = await readAll(ctx.enis, eniIds, log);
      if (enis.kind !== 'ok') return enis;
      const s: State = { enis: enis.value, other: null };
      if (holdingEnis(s).length > 0) return { kind: 'ok', value: s };
      const other = await findOther(enis.value, log);
      if (other.kind !== 'ok') return other;
      return { kind: 'ok', value: { ...s, other: other.value } };
    },
    observe: (s) => {
      const who = holders(s);
      const state = who.length > 1 ? 'mixed' : who.length === 0 && s.other ? 'foreign' : undefined;
      return {
        resource: id,
        holder: who[0] ?? null,
        ...(state ? { state } : {}),
        detail: {
          privateIp: spec.privateIp,
          networkInterfaceId: holdingEnis(s)[0] ?? s.other?.NetworkInterfaceId ?? null,
          ...(who.length > 1 ? { alsoOn: holdingEnis(s).slice(1) } : {}),
        },
      };
    },
    acquireWrites(s) {
      const eni = target.spec.networkInterfaceId;
      if (has(s.enis.get(eni), spec.privateIp)) {
        const stale = holdingEnis(s).filter((e) => e !== eni);
        // The address is ours; an old ENI that still shows it has not let go yet (EC2 moves it
        // asynchronously). Nothing to write: wait and read again, and report it if it never goes.
        return stale.length === 0
          ? { kind: 'ok', value: [] }
          : {
              kind: 'retry',
              reason: `${id}: ${spec.privateIp} is on ${eni} but still also on ${stale.join(', ')}`,
            };
      }
      if (s.other && !takeover)
        return {
          kind: 'conflict',
          reason: `${id}: ${spec.privateIp} is on ${s.other.NetworkInterfaceId}, not a member`,
        };
      const params = {
        NetworkInterfaceId: eni,
        PrivateIpAddresses: [spec.privateIp],
        AllowReassignment: takeover,
      };
      return {
        kind: 'ok',
        value: [
          {
            call: { service: 'ec2', operation: 'AssignPrivateIpAddresses', params },
            run: (log) =>
              ctx.call(log, 'AssignPrivateIpAddresses', params, () =>
                ctx.ec2.send(new AssignPrivateIpAddressesCommand(params)),
              ),
          },
        ],
      };
    },
    releaseWrites(s) {
      const eni = target.spec.networkInterfaceId;
      if (!has(s.enis.get(eni), spec.privateIp)) return { kind: 'ok', value: [] };
      const params = { NetworkInterfaceId: eni, PrivateIpAddresses: [spec.privateIp] };
      return {
        kind: 'ok',
        value: [
          {
            call: { service: 'ec2', operation: 'UnassignPrivateIpAddresses', params },
            run: (log) =>
              ctx.call(log, 'UnassignPrivateIpAddresses', params, () =>
                ctx.ec2.send(new UnassignPrivateIpAddressesCommand(params)),
              ),
          },
        ],
      };
    },
  };
}
