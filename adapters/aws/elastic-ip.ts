import { AssociateAddressCommand, DisassociateAddressCommand, type Address } from '@aws-sdk/client-ec2';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import type { AwsContext, AwsMember } from './context.ts';
import type { ElasticIpSpec } from './specs.ts';

const holds = (m: AwsMember, a: Address): boolean =>
  a.NetworkInterfaceId === m.spec.networkInterfaceId &&
  (m.spec.privateIp === undefined || m.spec.privateIp === a.PrivateIpAddress);

/**
 * An elastic IP associated with a member's ENI (and private IP). AllowReassociation is sent only when the
 * planner said the current holder is fenced; otherwise a racing claim fails with Resource.AlreadyAssociated.
 */
export function elasticIpDriver(
  ctx: AwsContext,
  id: string,
  spec: ElasticIpSpec,
  target: AwsMember,
  takeover: boolean,
): KindDriver<Address> {
  return {
    read: (log) => ctx.addresses.get(spec.allocationId, log),
    // Associated, but with no member (another ENI or instance, or a member's ENI on another private IP
    // than configured): `foreign`, and acquire answers conflict unless it is a takeover.
    observe: (a) => ({
      resource: id,
      holder: ctx.members.find((m) => holds(m, a))?.id ?? null,
      ...(a.AssociationId && !ctx.members.some((m) => holds(m, a))
        ? { state: 'foreign' as const, foreignHolder: a.NetworkInterfaceId ?? a.InstanceId ?? 'unknown' }
        : {}),
      detail: {
        allocationId: a.AllocationId,
        publicIp: a.PublicIp,
        associationId: a.AssociationId ?? null,
        networkInterfaceId: a.NetworkInterfaceId ?? null,
        privateIp: a.PrivateIpAddress ?? null,
      },
    }),
    acquireWrites(a) {
      if (holds(target, a)) return { kind: 'ok', value: [] };
      const foreign = a.AssociationId && !ctx.members.some((m) => holds(m, a));
      if (foreign && !takeover)
        return {
          kind: 'conflict',
          reason: `${id}: associated with ${a.NetworkInterfaceId ?? a.InstanceId}, not a member`,
        };
      const params = {
        AllocationId: spec.allocationId,
        NetworkInterfaceId: target.spec.networkInterfaceId,
        ...(target.spec.privateIp ? { PrivateIpAddress: target.spec.privateIp } : {}),
        AllowReassociation: takeover,
      };
      const w: Write = {
        call: { service: 'ec2', operation: 'AssociateAddress', params },
        run: (log) =>
          ctx.call(log, 'AssociateAddress', params, () => ctx.ec2.send(new AssociateAddressCommand(params))),
      };
      return { kind: 'ok', value: [w] };
    },
    releaseWrites(a) {
      if (!holds(target, a) || !a.AssociationId) return { kind: 'ok', value: [] };
      const params = { AssociationId: a.AssociationId };
      return {
        kind: 'ok',
        value: [
          {
            call: { service: 'ec2', operation: 'DisassociateAddress', params },
            run: (log) =>
              ctx.call(log, 'DisassociateAddress', params, () =>
                ctx.ec2.send(new DisassociateAddressCommand(params)),
              ),
          },
        ],
      };
    },
  };
}
