import {
  CreateRouteCommand,
  DeleteRouteCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceRouteCommand,
  type NetworkInterface,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { canonicalCidr, type Outcome } from '../../core/model/index.ts';
import type { ApiCall } from '../../core/ports/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import { readAll, type AwsContext, type AwsMember } from './context.ts';
import type { RouteSpec } from './specs.ts';

/**
 * ReplaceRoute's answer when the route is not there (any more): EC2 says InvalidParameterValue "There is
 * no route defined for '<cidr>' in the route table. Use CreateRoute instead." (not InvalidRoute.NotFound,
 * which DeleteRoute answers); both are taken as "absent".
 */
const routeVanished = (o: Exclude<Outcome<unknown>, { kind: 'ok' }>): boolean =>
  o.cause?.code === 'InvalidRoute.NotFound' ||
  (o.cause?.code === 'InvalidParameterValue' && /no route defined|use CreateRoute/i.test(o.reason));

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
 *
 * State: `foreign` when tables route the destination to something that is not a member (another ENI, a
 * gateway, an instance) and none to a member (acquire then answers conflict unless it is a takeover);
 * `mixed` when the tables disagree (test: "aws: route, EIP and secondary
 * IP held by a non-member read as foreign" in test/adapters/aws/real-api.test.ts).
 * A route that vanished between our read and ReplaceRoute: EC2 answers InvalidParameterValue ("There is
 * no route defined for ... Use CreateRoute instead"), so the write creates it instead (test: "aws: a
 * route deleted between read and ReplaceRoute is created instead").
 */
export function routeDriver(
  ctx: AwsContext,
  id: string,
  spec: RouteSpec,
  target: AwsMember,
  takeover: boolean,
): KindDriver<State> {
  const v6 = spec.destination.includes(':');
  const destKey = v6 ? 'DestinationIpv6CidrBlock' : 'DestinationCidrBlock';
  // The spec's destination is canonical (specs.ts); what EC2 (or a peer emulator) shows is compared in
  // canonical form too.
  const find = (t: RouteTable | undefined): Route | undefined =>
    t?.Routes?.find((r) => {
      const d = v6 ? r.DestinationIpv6CidrBlock : r.DestinationCidrBlock;
      return d !== undefined && (d === spec.destination || canonicalCidr(d) === spec.destination);
    });
  const memberOf = (r: Route | undefined): string | null =>
    r ? (ctx.members.find((m) => m.spec.networkInterfaceId === r.NetworkInterfaceId)?.id ?? null) : null;
  /** Per table: a member id, `null` (no route), or `foreign` (a route to something that is not a member). */
  const parts = (s: State): Array<string | null> =>
    spec.routeTableIds.map((t) => {
      const r = find(s.tables.get(t));
      return r ? (memberOf(r) ?? 'foreign') : null;
    });
  // Foreign: something else is routed and no member is (a missing table beside it does not make it
  // ours). Mixed: parts disagree and a member holds at least one (a half-done move, an edited table).
  const stateOf = (s: State): { state?: 'mixed' | 'foreign' } => {
    const seen = new Set(parts(s));
    const member = [...seen].some((p) => p !== null && p !== 'foreign');
    if (seen.has('foreign') && !member) return { state: 'foreign' };
    return seen.size > 1 ? { state: 'mixed' } : {};
  };
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
      ...stateOf(s),
      detail: {
        destination: spec.destination,
        tables: spec.routeTableIds.map((t) => {
          const r = find(s.tables.get(t));
          const other = r?.GatewayId ?? r?.InstanceId ?? r?.NatGatewayId ?? r?.TransitGatewayId;
          return {
            routeTableId: t,
            networkInterfaceId: r?.NetworkInterfaceId ?? null,
            ...(other ? { target: other } : {}),
            state: r?.State ?? 'missing',
          };
        }),
      },
    }),
    acquireWrites(s): Outcome<Write[]> {
      const writes: Write[] = [];
      if (stateOf(s).state === 'foreign' && !takeover)
        return {
          kind: 'conflict',
          reason: `${id}: ${spec.destination} is routed to something that is not a member; not taking over`,
        };
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
        const create = (log: ApiCall[]) =>
          ctx.call(log, 'CreateRoute', params, () => ctx.ec2.send(new CreateRouteCommand(params)));
        writes.push(
          r
            ? {
                call: { service: 'ec2', operation: 'ReplaceRoute', params },
                async run(log) {
                  const out = await ctx.call(log, 'ReplaceRoute', params, () =>
                    ctx.ec2.send(new ReplaceRouteCommand(params)),
                  );
                  return out.kind !== 'ok' && routeVanished(out) ? create(log) : out;
                },
              }
            : { call: { service: 'ec2', operation: 'CreateRoute', params }, run: create },
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
