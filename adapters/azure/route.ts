import type { Route } from '@azure/arm-network';
import type { Outcome } from '../../core/model/index.ts';
import type { KindDriver, Write } from '../../core/failover/index.ts';
import { conditionHeader } from './client.ts';
import type { AzureContext, AzureMember } from './context.ts';
import { lroWatch } from './lro.ts';
import type { RouteSpec } from './specs.ts';

type State = Map<string, Route | null>;
const key = (t: { resourceGroup: string; name: string }): string => `${t.resourceGroup}/${t.name}`;

/**
 * A user-defined route whose next hop is a member (VirtualAppliance, the member's private IP), in every
 * listed route table. Only the `routes/{name}` child is PUT, with If-Match of the ETag just read (or
 * If-None-Match: * when it is missing), so a concurrent writer makes us re-read instead of overwrite, and
 * the table's other routes are never sent. The holder is the member the first table's route points at;
 * when the tables disagree the route is `mixed`, and an acquire repairs every table that is off.
 *
 * A route's ETag is its table's: two route resources in one table read the same ETag, and the first PUT
 * invalidates the other's. Writes to one table are therefore queued (ctx.serial), and each takes the
 * ETag our own previous write in that table was answered with (ctx.etagNow), so N routes moving at once
 * in one table cost N PUTs, not a 412 and a re-read each (test/adapters/azure/shared-etag.test.ts).
 */
export function routeDriver(
  ctx: AzureContext,
  id: string,
  spec: RouteSpec,
  target: AzureMember,
): KindDriver<State> {
  const holderOf = (r: Route | null | undefined): string | null =>
    r && r.nextHopType === 'VirtualAppliance'
      ? (ctx.members.find((m) => m.spec.privateIp === r.nextHopIpAddress)?.id ?? null)
      : null;
  const nextHop = (r: Route | null | undefined): string =>
    r ? `${r.nextHopType ?? ''}/${r.nextHopIpAddress ?? ''}/${r.addressPrefix ?? ''}` : 'absent';
  const points = (r: Route | null | undefined, m: AzureMember): boolean =>
    !!r &&
    r.nextHopType === 'VirtualAppliance' &&
    r.nextHopIpAddress === m.spec.privateIp &&
    r.addressPrefix === spec.addressPrefix;
  return {
    async read(log): Promise<Outcome<State>> {
      // Reads the whole table (shared with every route read in the same few ms) but writes only the child.
      const outs = await Promise.all(spec.routeTables.map((t) => ctx.tables.get(key(t), log)));
      const state: State = new Map();
      for (const [i, o] of outs.entries()) {
        if (o.kind !== 'ok') return o;
        const t = spec.routeTables[i] as { resourceGroup: string; name: string };
        if (o.value === null) return { kind: 'give-up', reason: `${id}: route table ${key(t)} not found` };
        state.set(key(t), o.value.routes?.find((r) => r.name === spec.route) ?? null);
      }
      return { kind: 'ok', value: state };
    },
    observe: (s) => ({
      resource: id,
      holder: holderOf(s.get(key(spec.routeTables[0] as { resourceGroup: string; name: string }))),
      ...(new Set(spec.routeTables.map((t) => nextHop(s.get(key(t))))).size > 1
        ? { state: 'mixed' as const }
        : {}),
      detail: {
        route: spec.route,
        addressPrefix: spec.addressPrefix,
        tables: spec.routeTables.map((t) => {
          const r = s.get(key(t));
          return {
            table: key(t),
            nextHopType: r?.nextHopType ?? null,
            nextHopIpAddress: r?.nextHopIpAddress ?? null,
            etag: r?.etag ?? null,
          };
        }),
      },
    }),
    acquireWrites(s) {
      const writes: Write[] = spec.routeTables.flatMap((t) => {
        const current = s.get(key(t));
        if (points(current, target)) return [];
        const body = {
          addressPrefix: spec.addressPrefix,
          nextHopType: 'VirtualAppliance',
          nextHopIpAddress: target.spec.privateIp,
        };
        const condition = current?.etag ?? 'absent';
        const params = {
          resourceGroup: t.resourceGroup,
          routeTable: t.name,
          route: spec.route,
          ...(condition === 'absent' ? { ifNoneMatch: '*' } : { ifMatch: condition }),
          body,
        };
        return [
          {
            call: { service: 'network', operation: 'routes.createOrUpdate', params },
            run: (log) =>
              ctx.serial(key(t), async () => {
                const ifMatch = condition === 'absent' ? condition : ctx.etagNow(key(t), condition);
                const sent =
                  ifMatch === condition ? params : { ...params, ifMatch, ifMatchAsRead: condition };
                const watch = lroWatch();
                const out = await ctx.call(log, 'routes.createOrUpdate', sent, () =>
                  watch.run(() =>
                    ctx.client.routes.beginCreateOrUpdateAndWait(t.resourceGroup, t.name, spec.route, body, {
                      updateIntervalInMs: ctx.lroPollMs,
                      onResponse: watch.onResponse,
                      requestOptions: { customHeaders: { [conditionHeader]: ifMatch } },
                    }),
                  ),
                );
                const after = watch.putEtag();
                if (out.kind === 'ok' && ifMatch !== 'absent' && after) ctx.etagMoved(key(t), ifMatch, after);
                return out;
              }),
          },
        ];
      });
      return { kind: 'ok', value: writes };
    },
    releaseWrites(s) {
      const writes: Write[] = spec.routeTables.flatMap((t) => {
        if (!points(s.get(key(t)), target)) return [];
        const params = { resourceGroup: t.resourceGroup, routeTable: t.name, route: spec.route };
        return [
          {
            call: { service: 'network', operation: 'routes.delete', params },
            run: (log) =>
              ctx.serial(key(t), () => {
                const watch = lroWatch();
                return ctx.call(log, 'routes.delete', params, () =>
                  watch.run(() =>
                    ctx.client.routes.beginDeleteAndWait(t.resourceGroup, t.name, spec.route, {
                      updateIntervalInMs: ctx.lroPollMs,
                      onResponse: watch.onResponse,
                    }),
                  ),
                );
              }),
          },
        ];
      });
      return { kind: 'ok', value: writes };
    },
  };
}
