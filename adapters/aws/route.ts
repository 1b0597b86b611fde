import {
  CreateRouteCommand,
  DeleteRouteCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type NetworkInterface,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import { readAll, type AwsContext, type AwsMember } from './context.ts';
import type { RouteSpec } from './specs.ts';

interface State {
  tables: Map<string, RouteTable>;
  nextHop: NetworkInterface;
}

/**
 * One destination (IPv4 or IPv6) whose next hop is a member's ENI, in every listed route table.
 * ReplaceRoute where the route exists, CreateRoute where it is missing; tables are written in parallel.
 * The holder is the member the FIRST table points at; when the tables disagree (a move left half done,
 * someone edited one table) the route is `mixed`, and an acquire repairs every table that is off.
 * Source/dest check: a next-hop ENI with the check on drops forwarded traffic, so acquire refuses unless
 * the spec allows turning it off (then ModifyNetworkInterfaceAttribute is one of the writes).
 */
export function routeDriver(
  ctx: AwsContext,
  id: string,
  spec: RouteSpec,
  target: AwsMember,
): KindDriver<State> {
  const v6 = spec.destination.includes(':');
  const destKey = v6 ? 'DestinationIpv6CidrBlock' : 'DestinationCidrBlock';
  const find = (t: RouteTable | undefined): Route | undefined =>
    t?.Routes?.find((r) => (v6 ? r.DestinationIpv6CidrBlock : r.DestinationCidrBlock) === spec.destination);
  const memberOf = (r: Route | undefined): string | null =>
    r ? (ctx.members.find((m) => m.spec.networkInterfaceId === r.NetworkInterfaceId)?.id ?? null) : null;
  const call = (operation: string, params: Record<string, unknown>, send: () => Promise<unknown>): Write => ({
    call: { service: 'ec2', operation, params },
    run: (log) => ctx.call(log, operation, params, send),
  });
  const eni = target.spec.networkInterfaceId;
  // The next hop's ENI is read once per action, and again only after we changed its source/dest check.
  let hop: NetworkInterface | null = null;
  return {
    async read(log) {
      const [tables, nextHop] = await Promise.all([
        readAll(ctx.tables, spec.routeTableIds, log),
        hop ? Promise.resolve({ kind: 'ok' as const, value: hop }) : ctx.enis.get(eni, log),
      ]);
      if (tables.kind !== 'ok') return tables;
      if (nextHop.kind !== 'ok') return nextHop;
      hop = nextHop.value;
      return { kind: 'ok', value: { tables: tables.value, nextHop: nextHop.value } };
    },
    observe: (s) => ({
      resource: id,
      holder: memberOf(find(s.tables.get(spec.routeTableIds[0] ?? ''))),
      ...(new Set(spec.routeTableIds.map((t) => find(s.tables.get(t))?.NetworkInterfaceId ?? null)).size > 1
        ? { state: 'mixed' as const }
        : {}),
      detail: {
        destination: spec.destination,
        tables: spec.routeTableIds.map((t) => {
          const r = find(s.tables.get(t));
          return {
            routeTableId: t,
            networkInterfaceId: r?.NetworkInterfaceId ?? null,
            state: r?.State ?? 'missing',
          };
        }),
      },
    }),
    acquireWrites(s): Outcome<Write[]> {
      const writes: Write[] = [];
      if (s.nextHop.SourceDestCheck !== false) {
        if (!spec.disableSourceDestCheck)
          return {
            kind: 'give-up',
            reason: `${id}: next hop ${eni} has source/dest check on and would drop routed traffic; turn it off or set disableSourceDestCheck: true`,
          };
        const params = { NetworkInterfaceId: eni, SourceDestCheck: { Value: false } };
        writes.push(
          call('ModifyNetworkInterfaceAttribute', params, () => {
            hop = null;
            return ctx.ec2.send(new ModifyNetworkInterfaceAttributeCommand(params));
          }),
        );
      }
      for (const t of spec.routeTableIds) {
        const r = find(s.tables.get(t));
        if (r?.NetworkInterfaceId === eni) continue;
        const params = { RouteTableId: t, [destKey]: spec.destination, NetworkInterfaceId: eni };
        writes.push(
          r
            ? call('ReplaceRoute', params, () => ctx.ec2.send(new ReplaceRouteCommand(params)))
            : call('CreateRoute', params, () => ctx.ec2.send(new CreateRouteCommand(params))),
        );
      }
      return { kind: 'ok', value: writes };
    },
    releaseWrites(s) {
      const writes = spec.routeTableIds.flatMap((t) => {
        if (find(s.tables.get(t))?.NetworkInterfaceId !== eni) return [];
        const params = { RouteTableId: t, [destKey]: spec.destination };
        return [call('DeleteRoute', params, () => ctx.ec2.send(new DeleteRouteCommand(params)))];
      });
      return { kind: 'ok', value: writes };
    },
  };
}
