import type { NetworkManagementClient, RouteTable } from '@azure/arm-network';
import { Coalescer, providerCall, type CallDeps, type ProviderCall } from '../../core/failover/index.ts';
import { classifyAzureError } from './errors.ts';
import type { AzureHolderSpec } from './specs.ts';

export interface AzureMember {
  id: string;
  spec: AzureHolderSpec;
}

export interface AzureContext {
  client: NetworkManagementClient;
  members: readonly AzureMember[];
  /** LRO poll interval (ms) passed to every begin...AndWait. */
  lroPollMs: number;
  call: ProviderCall;
  /**
   * Runs writes to one parent resource (a route table, a NIC) one after another. NRP serialises them
   * anyway and answers a concurrent write with 409 AnotherOperationInProgress; queueing here saves those
   * calls and their Retry-After waits.
   */
  serial<T>(parent: string, run: () => Promise<T>): Promise<T>;
  /**
   * Every route of a route table carries the TABLE's ETag, and any change to any route bumps it. So
   * after our own write moved table `t` from ETag `from` to `to` (the ETag our PUT was answered with),
   * a route read at `from` is still as read at `to`: nobody but us changed the table in between, or
   * our If-Match would have failed. `etagNow` follows that chain of our own writes; a change by
   * anyone else breaks it (412, re-read).
   */
  etagNow(table: string, read: string): string;
  etagMoved(table: string, from: string, to: string): void;
  /** Route tables (`rg/name`) read within a few ms share one GET per table; a missing table is null. */
  tables: Coalescer<RouteTable | null>;
}

export function azureContext(
  client: NetworkManagementClient,
  deps: CallDeps,
  members: readonly AzureMember[],
  lroPollMs: number,
): AzureContext {
  const tails = new Map<string, Promise<unknown>>();
  const moved = new Map<string, string>(); // `${table}\n${from}` -> to, our own writes only
  const call = providerCall(deps, classifyAzureError, 'network');
  const tables = new Coalescer<RouteTable | null>(
    async (keys, log) => {
      const outs = await Promise.all(
        keys.map((k) => {
          const [resourceGroup = '', name = ''] = k.split('/');
          return call(log, 'routeTables.get', { resourceGroup, routeTable: name }, () =>
            absentOn404(client.routeTables.get(resourceGroup, name)),
          );
        }),
      );
      const found = new Map<string, RouteTable | null>();
      for (const [i, o] of outs.entries()) {
        if (o.kind !== 'ok') return o;
        found.set(keys[i] as string, o.value);
      }
      return { kind: 'ok', value: found };
    },
    { schedule: (flush) => void setTimeout(flush, 5) },
  );
  return {
    tables,
    etagNow(table, read) {
      let at = read;
      for (let i = 0; i < 10_000; i++) {
        const next = moved.get(`${table}\n${at}`);
        if (next === undefined || next === at) return at;
        at = next;
      }
      return at;
    },
    etagMoved(table, from, to) {
      if (moved.size > 10_000) moved.clear(); // a cache: losing it costs one 412 and a re-read
      moved.set(`${table}\n${from}`, to);
    },
    serial<T>(parent: string, run: () => Promise<T>): Promise<T> {
      const prev = tails.get(parent) ?? Promise.resolve();
      const mine = prev.then(run, run);
      const tail = mine.catch(() => undefined);
      tails.set(parent, tail);
      void tail.then(() => {
        if (tails.get(parent) === tail) tails.delete(parent);
      });
      return mine;
    },
    client,
    members,
    lroPollMs,
    call,
  };
}

/** A 404 read as "absent" (null) instead of an error. */
export const absentOn404 = async <T>(p: Promise<T>): Promise<T | null> => {
  try {
    return await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
};
