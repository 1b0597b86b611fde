import { createHash } from 'node:crypto';
import compute, { type protos } from '@google-cloud/compute';
import type { Outcome } from '../../core/model/index.ts';
import type { ApiCall, Random } from '../../core/ports/index.ts';
import {
  backoffDelayMs,
  Coalescer,
  providerCall,
  type BackoffPolicy,
  type CallDeps,
  type ProviderCall,
} from '../../core/failover/index.ts';
import { classifyGcpError, classifyGcpOperationError } from './errors.ts';
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
  /** The provider's configured name (goes into every failure's cause). */
  provider: string;
  /** Backoff of a mutation whose Operation ended with a transient error (it is sent again). */
  policy: BackoffPolicy;
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
  /** A route's next-hop instance (`zone/instance`), read for its canIpForward; a missing VM is null. */
  hops: Coalescer<Instance | null>;
  call: ProviderCall;
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
  const call = providerCall(deps, classifyGcpError, 'compute');
  const schedule = windowSchedule(coalesceMs);
  return {
    project,
    provider: deps.provider,
    policy: deps.policy,
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
    hops: new Coalescer<Instance | null>(
      async (keys, log) => {
        const outs = await Promise.all(
          keys.map((k) => {
            const [zone = '', instance = ''] = k.split('/');
            return call(log, 'instances.get', { zone, instance }, async () => {
              try {
                return (await clients.instances.get({ project, zone, instance }, noRetry))[0];
              } catch (err) {
                // HTTP 404, which the REST transport maps to gRPC 5 NOT_FOUND (google-gax googleError.js)
                const code = (err as { code?: unknown }).code;
                if (code === 404 || code === 5) return null;
                throw err;
              }
            });
          }),
        );
        const found = new Map<string, Instance | null>();
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

export interface OperationLike {
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
 * A DONE Operation can still carry an error (`operation.error.errors[].code`, e.g. QUOTA_EXCEEDED,
 * RESOURCE_NOT_READY): it is classified like a thrown one and becomes a failure with its cause. A
 * transient or throttling one is sent again after a backoff, under a NEW requestId derived from the
 * first (GCE answers a repeated requestId with the same finished Operation, error included).
 * `send` gets the requestId to put on the request; `params.requestId` is the first attempt's.
 */
export async function mutateAndWait(
  ctx: GcpContext,
  log: ApiCall[],
  operation: string,
  params: Record<string, unknown> & { requestId: string },
  send: (requestId: string) => Promise<unknown>,
  scope: { zone: string } | 'global',
): Promise<Outcome<undefined>> {
  let last: Outcome<undefined> = { kind: 'retry', reason: 'not tried' };
  for (let n = 1; n <= Math.max(1, ctx.policy.attempts); n++) {
    const rid = n === 1 ? params.requestId : retryIdOf(params.requestId, n);
    const once = await mutateOnce(ctx, log, operation, { ...params, requestId: rid }, () => send(rid), scope);
    last = once.outcome;
    // A thrown error was already retried by ctx.call; only an Operation's own error is sent again here.
    if (last.kind !== 'retry' || !once.byOperation) return last;
    if (n < ctx.policy.attempts) await ctx.sleep(backoffDelayMs(ctx.policy, n, ctx.random));
  }
  return last;
}

/** The requestId of attempt `n` (n >= 2) of a mutation whose first attempt used `first`. */
function retryIdOf(first: string, n: number): string {
  const digest = createHash('sha256').update(`${first}\nattempt ${n}`).digest();
  return uuidOf(Uint8Array.from(digest.subarray(0, 16)));
}

async function mutateOnce(
  ctx: GcpContext,
  log: ApiCall[],
  operation: string,
  params: Record<string, unknown>,
  send: () => Promise<unknown>,
  scope: { zone: string } | 'global',
): Promise<{ outcome: Outcome<undefined>; byOperation: boolean }> {
  const sent = await ctx.call(log, operation, params, send);
  if (sent.kind !== 'ok') return { outcome: sent, byOperation: false };
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
    if (waited.kind !== 'ok') return { outcome: waited, byOperation: false };
    op = opOf(waited.value);
    if (op.status !== 'DONE' && op.status !== 2) await ctx.sleep(ctx.opPollMs);
  }
  return { outcome: operationOutcome(ctx.provider, operation, op), byOperation: true };
}

/**
 * What a finished Operation says: ok, or its first error classified (classifyGcpOperationError) with the
 * cause `{provider, service: 'compute', operation, code, class}` as data.
 */
export function operationOutcome(provider: string, operation: string, op: OperationLike): Outcome<undefined> {
  const err = op.error?.errors?.[0];
  if (!err) return { kind: 'ok', value: undefined };
  const c = classifyGcpOperationError(err.code ?? '', err.message ?? '');
  const cause = { provider, service: 'compute', operation, code: c.code, class: c.class };
  const reason = `compute:${operation} operation failed ${c.code}: ${c.message}`;
  if (c.class === 'throttling' || c.class === 'transient') return { kind: 'retry', reason, cause };
  if (c.class === 'conflict') return { kind: 'conflict', reason, cause };
  return { kind: 'give-up', reason, cause };
}
