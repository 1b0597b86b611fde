import {
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  type Address,
  type EC2Client,
  type NetworkInterface,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall } from '../../core/ports/index.ts';
import { Coalescer, type ProviderCall } from '../../core/failover/index.ts';
import { awsCall, windowSchedule, type CallDeps } from './call.ts';
import type { AwsHolderSpec } from './specs.ts';

export interface AwsMember {
  id: string;
  spec: AwsHolderSpec;
}

/** Everything an AWS kind needs: the client, call policy, members and coalesced describes. */
export interface AwsContext {
  ec2: EC2Client;
  members: readonly AwsMember[];
  call: ProviderCall;
  addresses: Coalescer<Address>;
  enis: Coalescer<NetworkInterface>;
  tables: Coalescer<RouteTable>;
}

const byId = <T>(items: T[] | undefined, id: (t: T) => string | undefined): Map<string, T> =>
  new Map((items ?? []).flatMap((t) => (id(t) ? [[id(t) as string, t] as [string, T]] : [])));

export function awsContext(
  ec2: EC2Client,
  deps: CallDeps,
  members: readonly AwsMember[],
  coalesceMs = 5,
): AwsContext {
  const window = { schedule: windowSchedule(coalesceMs) };
  const call = <T>(
    log: ApiCall[],
    operation: string,
    params: Record<string, unknown>,
    send: () => Promise<T>,
  ) => awsCall(deps, log, { service: 'ec2', operation, params }, send);
  const describe =
    <T>(
      operation: string,
      key: string,
      run: (ids: string[]) => Promise<T[] | undefined>,
      id: (t: T) => string | undefined,
    ) =>
    async (ids: string[], log: ApiCall[]): Promise<Outcome<Map<string, T>>> => {
      const out = await call(log, operation, { [key]: ids }, () => run(ids));
      return out.kind === 'ok' ? { kind: 'ok', value: byId(out.value, id) } : out;
    };
  return {
    ec2,
    members,
    call,
    addresses: new Coalescer(
      describe(
        'DescribeAddresses',
        'AllocationIds',
        async (ids) => (await ec2.send(new DescribeAddressesCommand({ AllocationIds: ids }))).Addresses,
        (a) => a.AllocationId,
      ),
      window,
    ),
    enis: new Coalescer(
      describe(
        'DescribeNetworkInterfaces',
        'NetworkInterfaceIds',
        async (ids) =>
          (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids })))
            .NetworkInterfaces,
        (e) => e.NetworkInterfaceId,
      ),
      window,
    ),
    tables: new Coalescer(
      describe(
        'DescribeRouteTables',
        'RouteTableIds',
        async (ids) => (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ids }))).RouteTables,
        (t) => t.RouteTableId,
      ),
      window,
    ),
  };
}

/** Reads several coalesced ids at once; the first failure wins. */
export async function readAll<T>(
  c: Coalescer<T>,
  ids: readonly string[],
  log: ApiCall[],
): Promise<Outcome<Map<string, T>>> {
  const outs = await Promise.all(ids.map((id) => c.get(id, log)));
  const value = new Map<string, T>();
  for (const [i, o] of outs.entries()) {
    if (o.kind !== 'ok') return o;
    value.set(ids[i] as string, o.value);
  }
  return { kind: 'ok', value };
}
