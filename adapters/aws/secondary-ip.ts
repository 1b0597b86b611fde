import {
  AssignPrivateIpAddressesCommand,
  UnassignPrivateIpAddressesCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type { KindDriver } from '../../core/failover/index.ts';
import { readAll, type AwsContext, type AwsMember } from './context.ts';
import type { SecondaryIpSpec } from './specs.ts';

type State = Map<string, NetworkInterface>;

const has = (eni: NetworkInterface | undefined, ip: string): boolean =>
  (eni?.PrivateIpAddresses ?? []).some((p) => p.PrivateIpAddress === ip && !p.Primary);

/**
 * A secondary private IP on a member's ENI. Moved with AssignPrivateIpAddresses; AllowReassignment only
 * on takeover (an elastic IP mapped to that private IP moves with it, per EC2).
 */
export function secondaryIpDriver(
  ctx: AwsContext,
  id: string,
  spec: SecondaryIpSpec,
  target: AwsMember,
  takeover: boolean,
): KindDriver<State> {
  const eniIds = [...new Set(ctx.members.map((m) => m.spec.networkInterfaceId))];
  const holderOf = (s: State): string | null =>
    ctx.members.find((m) => has(s.get(m.spec.networkInterfaceId), spec.privateIp))?.id ?? null;
  return {
    read: (log) => readAll(ctx.enis, eniIds, log),
    observe: (s) => ({
      resource: id,
      holder: holderOf(s),
      detail: {
        privateIp: spec.privateIp,
        networkInterfaceId: [...s.values()].find((e) => has(e, spec.privateIp))?.NetworkInterfaceId ?? null,
      },
    }),
    acquireWrites(s) {
      const eni = target.spec.networkInterfaceId;
      if (has(s.get(eni), spec.privateIp)) return { kind: 'ok', value: [] };
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
      if (!has(s.get(eni), spec.privateIp)) return { kind: 'ok', value: [] };
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
