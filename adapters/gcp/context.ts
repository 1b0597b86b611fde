import { createHash } from 'node:crypto';
import compute, { type protos } from '@google-cloud/compute';
import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall, Random } from '../../core/ports/index.ts';
import { Coalescer, guardedCall, type CallDeps } from '../../core/failover/index.ts';
import { classifyGcpError } from './errors.ts';
import type { GcpHolderSpec } from './specs.ts';

export interface GcpMember {
  id: string;
  spec: GcpHolderSpec;
}

export interface GcpClientOptions {
  /** `http://127.0.0.1:PORT` for an emulator; Google's endpoint when absent. */
  endpoint?: string;
  /** A google-auth-library client (OAuth2Client, GoogleAuth...); application default credentials when absent. */
  authClient?: unknown;
}

/** Clients over the REST fallback transport (no gRPC), with the library's own retries off per call. */
export function gcpClients(o: GcpClientOptions) {
  const url = o.endpoint ? new URL(o.endpoint) : null;
  const opts = {
    fallback: true,
    ...(url
      ? {
          apiEndpoint: url.hostname,
          port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
          protocol: url.protocol.replace(':', ''),
        }
      : {}),
    ...(o.authClient ? { authClient: o.authClient } : {}),
  } as ConstructorParameters<typeof compute.InstancesClient>[0];
  const baseUrl = url ? `${url.protocol}//${url.host}` : 'https://compute.googleapis.com';
  return {
    /** Where the clients send requests; the base of the one call made beside them (patchJson). */
    baseUrl,
    instances: new compute.InstancesClient(opts),
    routes: new compute.RoutesClient(opts),
    zoneOperations: new compute.ZoneOperationsClient(opts),
    globalOperations: new compute.GlobalOperationsClient(opts),
  };
}

export type GcpClients = ReturnType<typeof gcpClients>;

/** What a google-auth-library client (GoogleAuth or an AuthClient) offers to send an authorised request. */
interface AuthRequester {
  request<T>(o: {
    url: string;
    method: 'PATCH';
    params: Record<string, string>;
    data: unknown;
    retry: boolean;
    responseType: 'json';
  }): Promise<{ data: T }>;
}

/**
 * A PATCH with a JSON body exactly as given, sent with the clients' own credentials (`instances.auth`:
 * the GoogleAuth or AuthClient the SDK authorises its calls with) to the clients' endpoint. For the one
 * body the SDK cannot send: its REST encoder drops empty repeated fields (proto3-json-serializer
 * build/src/toproto3json.js, toProto3JSON: "ignore repeated fields with no values", called by
 * google-gax build/src/fallbackRest.js, encodeRequest), and `aliasIpRanges: []` is how a PATCH clears
 * the last alias. An HTTP error is rethrown as `{ code: status, message: <the JSON error> }`, the shape
 * classifyGcpError reads from the SDK's own errors. test/adapters/gcp/alias-clear.test.ts fails without it.
 */
export async function patchJson(
  clients: GcpClients,
  path: string,
  params: Record<string, string>,
  data: unknown,
): Promise<unknown> {
  const auth = clients.instances.auth as unknown as AuthRequester;
  try {
    const res = await auth.request<unknown>({
      url: `${clients.baseUrl}/compute/v1/${path}`,
      method: 'PATCH',
      params,
      data,
      retry: false,
      responseType: 'json',
    });
    return res.data;
  } catch (err) {
    const e = err as { status?: number; response?: { status?: number; data?: unknown }; code?: unknown };
    const status = e.status ?? e.response?.status;
    if (typeof status === 'number')
      throw Object.assign(new Error(JSON.stringify(e.response?.data ?? {})), { code: status });
    throw err;
  }
}

/** Per-call options: retries are ours (classified, jittered, rate limited). */
export const noRetry = { maxRetries: 0 };

export interface GcpContext {
  project: string;
  /** The decision a write belongs to (job key + epoch + resource); requestIds derive from it. */
  requestKey?: string;
  clients: GcpClients;
  members: readonly GcpMember[];
  random: Random;
  /** Poll interval while an operation is RUNNING after `wait` returned. */
  opPollMs: number;
  sleep(ms: number): Promise<void>;
  /** Instance GETs asked for within a few ms share one request per instance. */
  instances: Coalescer<Instance>;
  /** Route reads asked for within a few ms become ONE routes.list with a name filter; absent -> null. */
  routes: Coalescer<Route | null>;
  call<T>(
    log: ApiCall[],
    operation: string,
    params: Record<string, unknown>,
    send: () => Promise<T>,
  ): Promise<Outcome<T>>;
}

type Instance = protos.google.cloud.compute.v1.IInstance;
type Route = protos.google.cloud.compute.v1.IRoute;

const windowSchedule =
  (ms: number) =>
  (flush: () => void): void => {
    setTimeout(flush, ms);
  };

/** A GCE list filter matching exactly these names (they are [a-z0-9-], so no escaping is needed). */
export const namesFilter = (names: readonly string[]): string => `name eq "(${names.join('|')})"`;

export function gcpContext(
  project: string,
  clients: GcpClients,
  deps: CallDeps,
  members: readonly GcpMember[],
  opPollMs: number,
  coalesceMs = 5,
): GcpContext {
  const call = <T>(
    log: ApiCall[],
    operation: string,
    params: Record<string, unknown>,
    send: () => Promise<T>,
  ) => guardedCall(deps, classifyGcpError, log, { service: 'compute', operation, params }, send);
  const schedule = windowSchedule(coalesceMs);
  return {
    project,
    clients,
    members,
    random: deps.random,
    opPollMs,
    sleep: deps.sleep,
    call,
    instances: new Coalescer<Instance>(
      async (keys, log) => {
        const outs = await Promise.all(
          keys.map((k) => {
            const [zone = '', instance = ''] = k.split('/');
            return call(
              log,
              'instances.get',
              { zone, instance },
              async () => (await clients.instances.get({ project, zone, instance }, noRetry))[0],
            );
          }),
        );
        const found = new Map<string, Instance>();
        for (const [i, o] of outs.entries()) {
          if (o.kind !== 'ok') return o;
          found.set(keys[i] as string, o.value);
        }
        return { kind: 'ok', value: found };
      },
      { schedule },
    ),
    routes: new Coalescer<Route | null>(
      async (names, log) => {
        const filter = namesFilter(names);
        const out = await call(
          log,
          'routes.list',
          { filter },
          async () => (await clients.routes.list({ project, filter }, noRetry))[0],
        );
        if (out.kind !== 'ok') return out;
        return { kind: 'ok', value: new Map(out.value.map((r) => [r.name ?? '', r])) };
      },
      { schedule, max: 50, absent: { value: null } },
    ),
  };
}

/** A request id (UUID v4) from the Random port, reused on every retry of one mutation. */
/**
 * The requestId of one write. Compute Engine applies a request once per requestId (for an hour), so a
 * retried call is not applied twice. With the decision's `requestKey` the id is derived from it and from
 * the exact request (operation, target, body, fingerprint included): the same decision resending the same
 * request reuses the id, and any other request gets another one (a reused id with another body would be
 * answered with the first request's operation). Without it, random.
 */
export function requestIdOf(ctx: GcpContext, operation: string, request: unknown): string {
  if (!ctx.requestKey) return requestId(ctx.random);
  const digest = createHash('sha256')
    .update(`${ctx.requestKey}\n${operation}\n${JSON.stringify(request)}`)
    .digest();
  return uuidOf(Uint8Array.from(digest.subarray(0, 16)));
}

export function requestId(random: Random): string {
  return uuidOf(random.bytes(16));
}

function uuidOf(b: Uint8Array): string {
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface OperationLike {
  name?: string | null;
  status?: string | number | null;
  error?: { errors?: Array<{ code?: string | null; message?: string | null }> | null } | null;
}

/** What a mutation answers in fallback mode: a wrapper with `latestResponse`, or the Operation itself. */
const opOf = (answer: unknown): OperationLike => {
  const a = (Array.isArray(answer) ? answer[0] : answer) as {
    latestResponse?: OperationLike;
  } & OperationLike;
  return a?.latestResponse ?? a;
};

/**
 * Makes one mutation and waits for its Operation to be DONE (zone or global `wait`, looped while RUNNING).
 * An Operation that ends with an error is classified like a thrown one.
 */
export async function mutateAndWait(
  ctx: GcpContext,
  log: ApiCall[],
  operation: string,
  params: Record<string, unknown>,
  send: () => Promise<unknown>,
  scope: { zone: string } | 'global',
): Promise<Outcome<undefined>> {
  const sent = await ctx.call(log, operation, params, send);
  if (sent.kind !== 'ok') return sent;
  let op = opOf(sent.value);
  for (let i = 0; i < 600; i++) {
    if (op.status === 'DONE' || op.status === 2) break;
    const name = op.name ?? '';
    const waited =
      scope === 'global'
        ? await ctx.call(log, 'globalOperations.wait', { operation: name }, () =>
            ctx.clients.globalOperations.wait({ project: ctx.project, operation: name }, noRetry),
          )
        : await ctx.call(log, 'zoneOperations.wait', { zone: scope.zone, operation: name }, () =>
            ctx.clients.zoneOperations.wait(
              { project: ctx.project, zone: scope.zone, operation: name },
              noRetry,
            ),
          );
    if (waited.kind !== 'ok') return waited;
    op = opOf(waited.value);
    if (op.status !== 'DONE' && op.status !== 2) await ctx.sleep(ctx.opPollMs);
  }
  const err = op.error?.errors?.[0];
  if (err) {
    const c = classifyGcpError({ reason: err.code ?? undefined, message: err.message ?? '' });
    const reason = `compute:${operation} operation failed ${c.code}: ${c.message}`;
    return c.class === 'conflict' ? { kind: 'conflict', reason } : { kind: 'give-up', reason };
  }
  return { kind: 'ok', value: undefined };
}
