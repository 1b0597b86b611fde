/**
 * Pre-flight of the AWS kinds (`floatip cloud preflight`): reads the topology and sends every write a
 * failover could make with `DryRun: true`. EC2 answers a permitted dry run with DryRunOperation and a
 * forbidden one with UnauthorizedOperation (moto, and other AWS services, say AccessDenied), and applies
 * nothing either way; a write that comes back without an error means the endpoint ignored DryRun, which
 * is reported as such. Reads are one call per id, so a missing one is named.
 */
import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DisassociateAddressCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type Address,
  type NetworkInterface,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { answerOf, findingsOf, membersOf, type PreflightAnswer } from '../../core/app/preflight.ts';
import type { Holder, PreflightFinding, PreflightOptions, VipResource } from '../../core/ports/index.ts';
import type { Sleep } from '../../core/failover/index.ts';
import { classifyAwsError } from './errors.ts';
import {
  awsHolderSpec,
  elasticIpSpec,
  parseSpec,
  routeSpec,
  secondaryIpSpec,
  type AwsHolderSpec,
} from './specs.ts';

export interface AwsPreflightOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  sleep: Sleep;
}

type Status = PreflightFinding['status'];
type Answer<T> = PreflightAnswer<T>;

const denied = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);
const badCredentials = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'UnrecognizedClientException',
  'CredentialsProviderError',
]);

/** What an EC2 error means for a pre-flight. */
export function preflightStatusOf(err: unknown): { status: Status; code: string; detail: string } {
  const c = classifyAwsError(err);
  const detail = `${c.code}: ${c.message.split('\n')[0]?.slice(0, 200) ?? ''}`;
  const named = (err as { name?: string } | null)?.name ?? '';
  if (c.code === 'DryRunOperation') return { status: 'ok', code: c.code, detail };
  if (denied.has(c.code)) return { status: 'missing-permission', code: c.code, detail };
  if (/\.NotFound$/.test(c.code)) return { status: 'missing-resource', code: c.code, detail };
  if (badCredentials.has(c.code) || badCredentials.has(named))
    return { status: 'unreachable', code: c.code, detail: `credentials refused (${c.code})` };
  if (c.class === 'throttling' || c.class === 'transient')
    return { status: 'unreachable', code: c.code, detail };
  return { status: 'mismatch', code: c.code, detail };
}

/** The `preflight` of the AWS provider; its own EC2 client is made on the first call. */
export function awsPreflight(o: AwsPreflightOptions) {
  let client: EC2Client | undefined;
  const ec2 = (): EC2Client =>
    (client ??= new EC2Client({
      region: o.region,
      maxAttempts: 1,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    }));
  /** One call, retried a few times while throttled or the service is unavailable. */
  const send = <T>(run: () => Promise<T>): Promise<Answer<T>> =>
    answerOf(
      run,
      (err) => {
        const s = preflightStatusOf(err);
        return { ...s, retry: s.status === 'unreachable' && !badCredentials.has(s.code) };
      },
      o.sleep,
    );

  /** Set once the endpoint applied a write sent with DryRun (moto does on route writes): no more are sent. */
  let appliedDryRun = false;

  return async function preflight(
    r: VipResource,
    holders: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]> {
    const { out, say } = findingsOf(r.id);
    const members = membersOf(awsHolderSpec, holders, 'aws', say);
    if (!members) return out;

    /** A write sent with DryRun: the answer says whether it is allowed. */
    const dryRun = async (action: string, on: string, run: () => Promise<unknown>): Promise<void> => {
      const subject = `ec2:${action} on ${on}`;
      if (appliedDryRun) {
        say('permission', 'unproven', subject, 'not sent: this endpoint applied an earlier dry run');
        return;
      }
      const a = await send(run);
      if (a.ok) {
        appliedDryRun = true; // never send it another write
        say('permission', 'mismatch', subject, 'the endpoint applied the call: it ignored DryRun');
      } else if (a.status === 'ok') say('permission', 'ok', subject, 'allowed (DryRunOperation)');
      else say(a.status === 'unreachable' ? 'reach' : 'permission', a.status, subject, a.detail);
    };
    const read = async <T>(subject: string, run: () => Promise<T | undefined>): Promise<T | undefined> => {
      const a = await send(run);
      if (!a.ok) {
        say(a.status === 'unreachable' ? 'reach' : 'topology', a.status, subject, a.detail);
        return undefined;
      }
      if (a.value === undefined) say('topology', 'missing-resource', subject, 'not found');
      return a.value;
    };
    const eniOf = async (m: { id: string; spec: AwsHolderSpec }): Promise<NetworkInterface | undefined> => {
      const id = m.spec.networkInterfaceId;
      const eni = await read(
        `network interface ${id} (member ${m.id})`,
        async () =>
          (await ec2().send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] })))
            .NetworkInterfaces?.[0],
      );
      if (!eni) return undefined;
      const ips = (eni.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress);
      if (m.spec.privateIp && !ips.includes(m.spec.privateIp))
        say(
          'topology',
          'mismatch',
          `network interface ${id} (member ${m.id})`,
          `has no private IP ${m.spec.privateIp} (it has ${ips.join(', ') || 'none'})`,
        );
      else if (
        m.spec.instanceId &&
        eni.Attachment?.InstanceId &&
        eni.Attachment.InstanceId !== m.spec.instanceId
      )
        say(
          'topology',
          'mismatch',
          `network interface ${id} (member ${m.id})`,
          `is attached to ${eni.Attachment.InstanceId}, not ${m.spec.instanceId}`,
        );
      else
        say(
          'topology',
          'ok',
          `network interface ${id} (member ${m.id})`,
          `exists${eni.SubnetId ? ` in ${eni.SubnetId}` : ''}`,
        );
      return eni;
    };
    const enis = new Map<string, NetworkInterface | undefined>();
    for (const m of members) enis.set(m.id, await eniOf(m));
    const where = `aws resource ${r.id}`;

    if (r.kind === 'elastic-ip') {
      const s = parseSpec(elasticIpSpec, r.spec, where);
      if (typeof s === 'string')
        return [
          ...out,
          { resource: r.id, check: 'topology', status: 'mismatch', subject: 'spec', detail: s },
        ];
      const a: Address | undefined = await read(
        `elastic IP ${s.allocationId}`,
        async () =>
          (await ec2().send(new DescribeAddressesCommand({ AllocationIds: [s.allocationId] })))
            .Addresses?.[0],
      );
      if (a) {
        const member = members.find((m) => m.spec.networkInterfaceId === a.NetworkInterfaceId);
        if (a.AssociationId && !member)
          say(
            'topology',
            'warning',
            `elastic IP ${s.allocationId}`,
            `associated with ${a.NetworkInterfaceId ?? a.InstanceId}, not a member: a failover takes it only with --force`,
            true,
          );
        else
          say(
            'topology',
            'ok',
            `elastic IP ${s.allocationId}`,
            `exists (${a.PublicIp ?? '?'}), ${member ? `held by ${member.id}` : 'unassociated'}`,
          );
      }
      if (!options.permissions) return out;
      for (const m of members) {
        const params = {
          AllocationId: s.allocationId,
          NetworkInterfaceId: m.spec.networkInterfaceId,
          ...(m.spec.privateIp ? { PrivateIpAddress: m.spec.privateIp } : {}),
          AllowReassociation: true,
        };
        await dryRun('AssociateAddress', `${s.allocationId} -> ${m.spec.networkInterfaceId}`, () =>
          ec2().send(new AssociateAddressCommand({ ...params, DryRun: true })),
        );
      }
      if (a?.AssociationId) {
        const id = a.AssociationId;
        await dryRun('DisassociateAddress', `${s.allocationId} (${id})`, () =>
          ec2().send(new DisassociateAddressCommand({ AssociationId: id, DryRun: true })),
        );
      } else
        say(
          'permission',
          'unproven',
          `ec2:DisassociateAddress on ${s.allocationId}`,
          'the address is not associated: there is no association to dry-run against',
        );
      return out;
    }

    if (r.kind === 'secondary-ip') {
      const s = parseSpec(secondaryIpSpec, r.spec, where);
      if (typeof s === 'string')
        return [
          ...out,
          { resource: r.id, check: 'topology', status: 'mismatch', subject: 'spec', detail: s },
        ];
      const subnets = new Set([...enis.values()].flatMap((e) => (e?.SubnetId ? [e.SubnetId] : [])));
      if (subnets.size > 1)
        say(
          'topology',
          'mismatch',
          `secondary IP ${s.privateIp}`,
          `members are in different subnets (${[...subnets].join(', ')}); a secondary IP moves only within one subnet`,
        );
      const holder = members.find((m) =>
        enis.get(m.id)?.PrivateIpAddresses?.some((p) => p.PrivateIpAddress === s.privateIp),
      );
      if (!options.permissions) return out;
      // The EC2 API has no DryRun parameter on these two actions (AssignPrivateIpAddressesRequest and
      // UnassignPrivateIpAddressesRequest in @aws-sdk/client-ec2 have none): not provable without a write.
      for (const action of ['AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses'])
        say(
          'permission',
          'unproven',
          `ec2:${action} on ${members.map((m) => m.spec.networkInterfaceId).join(', ')}`,
          `EC2 has no DryRun for ${action}; only a real move proves it${holder ? '' : ' (no member holds the address now)'}`,
        );
      return out;
    }

    if (r.kind === 'route') {
      const s = parseSpec(routeSpec, r.spec, where);
      if (typeof s === 'string')
        return [
          ...out,
          { resource: r.id, check: 'topology', status: 'mismatch', subject: 'spec', detail: s },
        ];
      const v6 = s.destination.includes(':');
      const dest = v6 ? { DestinationIpv6CidrBlock: s.destination } : { DestinationCidrBlock: s.destination };
      const tables = new Map<string, RouteTable | undefined>();
      for (const t of s.routeTableIds) {
        const table = await read(
          `route table ${t}`,
          async () =>
            (await ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [t] }))).RouteTables?.[0],
        );
        tables.set(t, table);
        if (!table) continue;
        const route = table.Routes?.find(
          (x) => (v6 ? x.DestinationIpv6CidrBlock : x.DestinationCidrBlock) === s.destination,
        );
        const member = members.find((m) => route?.NetworkInterfaceId === m.spec.networkInterfaceId);
        if (route && !member)
          say(
            'topology',
            'warning',
            `route table ${t}`,
            `${s.destination} points at ${route.NetworkInterfaceId ?? route.GatewayId ?? route.InstanceId ?? 'something'}, not a member`,
            true,
          );
        else
          say(
            'topology',
            'ok',
            `route table ${t}`,
            `exists${table.VpcId ? ` in ${table.VpcId}` : ''}; ${s.destination} ${route ? `-> ${member?.id}` : 'absent (the first failover creates it)'}`,
          );
        for (const m of members) {
          const eni = enis.get(m.id);
          if (eni?.VpcId && table.VpcId && eni.VpcId !== table.VpcId)
            say(
              'topology',
              'mismatch',
              `route table ${t}`,
              `is in ${table.VpcId}, member ${m.id}'s ${m.spec.networkInterfaceId} in ${eni.VpcId}`,
            );
        }
      }
      for (const m of members) {
        const eni = enis.get(m.id);
        if (!eni || eni.SourceDestCheck === false) continue;
        const subject = `source/dest check of ${m.spec.networkInterfaceId} (member ${m.id})`;
        if (s.disableSourceDestCheck)
          say('topology', 'warning', subject, 'on: the acquire turns it off (disableSourceDestCheck)');
        else
          say(
            'topology',
            'mismatch',
            subject,
            'on: routed traffic would be dropped and the acquire refuses; turn it off or set disableSourceDestCheck: true',
          );
      }
      if (!options.permissions) return out;
      for (const [t, table] of tables) {
        if (!table) continue; // already reported; a write to it proves nothing more
        const exists = table?.Routes?.some(
          (x) => (v6 ? x.DestinationIpv6CidrBlock : x.DestinationCidrBlock) === s.destination,
        );
        for (const m of members) {
          const params = {
            RouteTableId: t,
            ...dest,
            NetworkInterfaceId: m.spec.networkInterfaceId,
            DryRun: true,
          };
          const on = `${t} (${s.destination} -> ${m.spec.networkInterfaceId})`;
          if (exists) await dryRun('ReplaceRoute', on, () => ec2().send(new ReplaceRouteCommand(params)));
          else await dryRun('CreateRoute', on, () => ec2().send(new CreateRouteCommand(params)));
        }
        if (exists)
          await dryRun('DeleteRoute', `${t} (${s.destination})`, () =>
            ec2().send(new DeleteRouteCommand({ RouteTableId: t, ...dest, DryRun: true })),
          );
      }
      if (s.disableSourceDestCheck)
        for (const m of members)
          if (enis.get(m.id)?.SourceDestCheck !== false) {
            const eni = m.spec.networkInterfaceId;
            await dryRun('ModifyNetworkInterfaceAttribute', `${eni} (SourceDestCheck=false)`, () =>
              ec2().send(
                new ModifyNetworkInterfaceAttributeCommand({
                  NetworkInterfaceId: eni,
                  SourceDestCheck: { Value: false },
                  DryRun: true,
                }),
              ),
            );
          }
      return out;
    }
    say('topology', 'mismatch', `kind ${r.kind}`, 'unknown kind (elastic-ip, secondary-ip, route)');
    return out;
  };
}
