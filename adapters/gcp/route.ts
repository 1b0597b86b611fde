import type { protos } from '@google-cloud/compute';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import { mutateAndWait, noRetry, requestIdOf, type GcpContext, type GcpMember } from './context.ts';
import type { RouteSpec } from './specs.ts';

type Route = protos.google.cloud.compute.v1.IRoute;
type Instance = protos.google.cloud.compute.v1.IInstance;
type Slot = 'a' | 'b';
interface State {
  a: Route | null;
  b: Route | null;
  /** The target member's VM (null: not found), for its canIpForward. */
  hop: Instance | null;
}

/** GCE's route warning for a next hop that drops forwarded packets (Route.warnings[].code). */
const cannotForward = 'NEXT_HOP_CANNOT_IP_FORWARD';

/**
 * A static route (destRange -> a member instance), moved make-before-break. GCE routes are immutable, so
 * a move inserts a new route and then deletes the old one. The resource owns two route names ("slots"):
 * `<prefix>-a` at `priority` and `<prefix>-b` at `priority + 1`. A move inserts into the free slot and
 * then deletes the other, so:
 *  - there is never a moment without a route for destRange (the old one stays until the new one exists);
 *  - two routes for destRange never share a priority, so GCE never spreads traffic over both (no ECMP
 *    between the old and the new holder);
 *  - two members claiming at once insert the SAME name: GCE refuses the second (409 alreadyExists), so
 *    exactly one wins.
 * The holder is the next hop of the better (lower priority number) route present.
 *
 * A VM created without canIpForward drops packets not addressed to it; GCE still accepts a route to it,
 * only marking the route with a NEXT_HOP_CANNOT_IP_FORWARD warning. So acquire reads the target VM and
 * refuses (give-up, nothing written) when canIpForward is not on, and observe lists every warning GCE
 * put on the routes (`detail.warnings`). canIpForward is a setting of the VM: reported, never changed. test/adapters/gcp/route-warnings.test.ts fails without either.
 */
export function routeDriver(
  ctx: GcpContext,
  id: string,
  spec: RouteSpec,
  target: GcpMember,
): KindDriver<State> {
  const name = (slot: Slot): string => `${spec.namePrefix}-${slot}`;
  const priority = (slot: Slot): number => spec.priority + (slot === 'a' ? 0 : 1);
  const urlOf = (m: GcpMember): string =>
    `projects/${ctx.project}/zones/${m.spec.zone}/instances/${m.spec.instance}`;
  const memberOf = (r: Route | null): string | null =>
    r ? (ctx.members.find((m) => (r.nextHopInstance ?? '').endsWith(urlOf(m)))?.id ?? null) : null;
  const best = (s: State): Route | null => s.a ?? s.b;
  // The target VM is read once per action (a driver lives for one): floatip never changes it.
  let hopSeen: Instance | null | undefined;
  const mine = (r: Route | null): boolean => memberOf(r) === target.id;
  const insert = (slot: Slot, stage: number): Write => {
    const body = {
      name: name(slot),
      network: spec.network,
      destRange: spec.destRange,
      priority: priority(slot),
      nextHopInstance: urlOf(target),
    };
    const rid = requestIdOf(ctx, 'routes.insert', body);
    const params = { requestId: rid, body };
    return {
      stage,
      call: { service: 'compute', operation: 'routes.insert', params },
      run: (log) =>
        mutateAndWait(
          ctx,
          log,
          'routes.insert',
          params,
          (requestId) =>
            ctx.clients.routes.insert({ project: ctx.project, routeResource: body, requestId }, noRetry),
          'global',
        ),
    };
  };
  const remove = (slot: Slot, stage: number): Write => {
    const rid = requestIdOf(ctx, 'routes.delete', { route: name(slot), stage });
    const params = { route: name(slot), requestId: rid };
    return {
      stage,
      call: { service: 'compute', operation: 'routes.delete', params },
      run: (log) =>
        mutateAndWait(
          ctx,
          log,
          'routes.delete',
          params,
          (requestId) =>
            ctx.clients.routes.delete({ project: ctx.project, route: name(slot), requestId }, noRetry),
          'global',
        ),
    };
  };
  return {
    async read(log): Promise<Outcome<State>> {
      const [a, b, hop] = await Promise.all([
        ctx.routes.get(name('a'), log),
        ctx.routes.get(name('b'), log),
        hopSeen === undefined
          ? ctx.hops.get(`${target.spec.zone}/${target.spec.instance}`, log)
          : Promise.resolve({ kind: 'ok' as const, value: hopSeen }),
      ]);
      if (a.kind !== 'ok') return a;
      if (b.kind !== 'ok') return b;
      if (hop.kind !== 'ok') return hop;
      hopSeen = hop.value;
      return { kind: 'ok', value: { a: a.value, b: b.value, hop: hop.value } };
    },
    observe: (s) => ({
      resource: id,
      holder: memberOf(best(s)),
      detail: {
        destRange: spec.destRange,
        routes: (['a', 'b'] as const).flatMap((slot) => {
          const r = s[slot];
          return r
            ? [
                {
                  name: name(slot),
                  priority: r.priority ?? null,
                  nextHopInstance: r.nextHopInstance ?? null,
                  warnings: (r.warnings ?? []).map((w) => String(w.code ?? '')),
                },
              ]
            : [];
        }),
        warnings: (['a', 'b'] as const).flatMap((slot) =>
          (s[slot]?.warnings ?? []).map(
            (w) => `route ${name(slot)}: ${String(w.code ?? '')}${w.message ? `: ${w.message}` : ''}`,
          ),
        ),
      },
    }),
    acquireWrites(s) {
      const { a, b } = s;
      const vm = `${target.spec.zone}/${target.spec.instance}`;
      if (!s.hop) return { kind: 'give-up', reason: `${id}: next hop VM ${vm} not found` };
      if (s.hop.canIpForward !== true)
        return {
          kind: 'give-up',
          reason: `${id}: next hop VM ${vm} has canIpForward off: GCE would accept the route with a ${cannotForward} warning and forward nothing (turn IP forwarding on for that VM)`,
        };
      // Done: exactly one route, ours.
      if ((mine(a) && !b) || (mine(b) && !a)) return { kind: 'ok', value: [] };
      if (!a && !b) return { kind: 'ok', value: [insert('a', 0)] };
      if (a && b) {
        // A move was interrupted. Keep ours if one is ours; otherwise reuse the worse slot.
        if (mine(a)) return { kind: 'ok', value: [remove('b', 0)] };
        if (mine(b)) return { kind: 'ok', value: [remove('a', 0)] };
        return { kind: 'ok', value: [remove('b', 0), insert('b', 1), remove('a', 2)] };
      }
      const used: Slot = a ? 'a' : 'b';
      const free: Slot = a ? 'b' : 'a';
      return { kind: 'ok', value: [insert(free, 0), remove(used, 1)] };
    },
    releaseWrites(s) {
      return {
        kind: 'ok',
        value: (['a', 'b'] as const).filter((slot) => mine(s[slot])).map((slot) => remove(slot, 0)),
      };
    },
  };
}
