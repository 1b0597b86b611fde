/**
 * A stateful Compute Engine (compute/v1 JSON) emulator for the real @google-cloud/compute client in REST
 * fallback mode (`fallback: true`, `protocol: 'http'`, `apiEndpoint: '127.0.0.1'`). It keeps instances
 * (nic0.., alias IP ranges, access configs, fingerprints) and global routes, and behaves like GCE where
 * floatip relies on it:
 *  - every mutation returns an Operation; `operations/{op}` GET and `/wait` answer RUNNING for `opPolls`
 *    polls, then DONE; the change itself is visible at once (reads may be stale: fault injection);
 *  - updateNetworkInterface has PATCH semantics: `aliasIpRanges` absent from the body leaves the aliases
 *    as they are, `[]` clears them; a stale fingerprint -> 412 conditionNotMet;
 *  - an alias range or NAT IP used by another instance -> 400 resourceInUseByAnotherResource;
 *  - routes are immutable; inserting an existing name -> 409 alreadyExists; a route whose next hop VM
 *    has canIpForward off is accepted with a NEXT_HOP_CANNOT_IP_FORWARD warning (it forwards nothing);
 *  - `failOperations`: an accepted mutation whose Operation ends DONE with `error.errors[].code` and
 *    changes nothing;
 *  - `requestId`: a repeat of a mutation with the same id returns the first Operation and changes nothing;
 *  - it records, after every mutation, whether two routes for one destination shared a priority while
 *    pointing at different next hops (`conflictsSeen`) and whether a destination lost its last route
 *    while being moved (`gapsSeen`).
 */
import { serve, type Emulator, type RawRequest, type RawResponse } from './http.ts';
import { Faults, StaleView, type FaultOptions } from './faults.ts';
import { gceTestIamPermissions } from './preflight.ts';

export interface GceNic {
  name: string;
  networkIP: string;
  fingerprint: string;
  aliasIpRanges: Array<{ ipCidrRange: string; subnetworkRangeName?: string }>;
  accessConfigs: Array<{ name: string; type: string; natIP: string }>;
}

export interface GceInstance {
  zone: string;
  name: string;
  /** GCE's default is false; addInstance makes VMs that can forward unless told otherwise. */
  canIpForward: boolean;
  networkInterfaces: GceNic[];
}

export interface GceRoute {
  name: string;
  network: string;
  destRange: string;
  priority: number;
  nextHopInstance: string;
  /** Set at insert, as GCE does: NEXT_HOP_CANNOT_IP_FORWARD when the next hop VM cannot forward. */
  warnings?: Array<{ code: string; message: string; data: Array<{ key: string; value: string }> }>;
}

export interface GceEmulator extends Emulator {
  faults: Faults;
  project: string;
  instances: Map<string, GceInstance>;
  routes: Map<string, GceRoute>;
  requests: Array<{ method: string; path: string; query: Record<string, string>; body: string }>;
  conflictsSeen: number;
  gapsSeen: number;
  addInstance(
    zone: string,
    name: string,
    networkIP: string,
    options?: { canIpForward?: boolean },
  ): GceInstance;
  /**
   * The next `n` mutations whose `METHOD path` matches are accepted (an Operation is returned) but change
   * nothing, and their Operation ends DONE with `error.errors: [{ code, message }]`, as GCE reports an
   * operation that failed after it was accepted (QUOTA_EXCEEDED, RESOURCE_NOT_READY...).
   */
  failOperations(code: string, n?: number, match?: RegExp): void;
  /** Forgets every instance, route, operation, request and queued fault (one emulator, many tests). */
  reset(): void;
  instanceUrl(zone: string, name: string): string;
  /** Permissions testIamPermissions does not grant (test/emulators/preflight.ts). */
  denied: Set<string>;
}

class GceError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export async function startGceEmulator(
  options: FaultOptions & { opPolls?: number; project?: string } = {},
): Promise<GceEmulator> {
  const faults = new Faults(options);
  const stale = new StaleView<unknown>(faults);
  const project = options.project ?? 'fip-test';
  const instances = new Map<string, GceInstance>();
  const routes = new Map<string, GceRoute>();
  const ops = new Map<string, { op: Record<string, unknown>; left: number; error?: unknown }>();
  const opFailures: Array<{ code: string; match: RegExp }> = [];
  const byRequestId = new Map<string, string>();
  const requests: GceEmulator['requests'] = [];
  const denied = new Set<string>();
  let n = 0;
  let base = '';
  const fp = (): string => Buffer.from(`fp-${++n}`).toString('base64');
  const selfBase = (): string => `${base}/compute/v1/projects/${project}`;
  const instanceUrl = (zone: string, name: string): string => `${selfBase()}/zones/${zone}/instances/${name}`;
  const emu = { conflictsSeen: 0, gapsSeen: 0 };

  const audit = (movedDest: string | null): void => {
    const seen = new Map<string, GceRoute>();
    for (const r of routes.values()) {
      const k = `${r.destRange}@${r.priority}`;
      const o = seen.get(k);
      if (o && o.nextHopInstance !== r.nextHopInstance) emu.conflictsSeen++;
      seen.set(k, r);
    }
    if (movedDest && ![...routes.values()].some((r) => r.destRange === movedDest)) emu.gapsSeen++;
  };

  const json = (status: number, body: unknown): RawResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(body),
  });
  const fail = (e: GceError): RawResponse =>
    json(e.status, {
      error: {
        code: e.status,
        message: e.message,
        errors: [{ domain: 'global', reason: e.reason, message: e.message }],
      },
    });

  /** Runs a mutation once per requestId; returns its Operation. */
  const mutate = (req: RawRequest, scope: string, target: string, apply: () => void): RawResponse => {
    const rid = req.query.get('requestId');
    const prior = rid ? byRequestId.get(rid) : undefined;
    if (prior) return json(200, ops.get(prior)?.op);
    const f = opFailures.findIndex((x) => x.match.test(`${req.method} ${req.path}`));
    const failure = f >= 0 ? opFailures.splice(f, 1)[0] : undefined;
    if (!failure) apply();
    const name = `operation-${++n}`;
    const op = {
      kind: 'compute#operation',
      name,
      status: 'RUNNING',
      targetLink: target,
      selfLink: `${selfBase()}/${scope}/operations/${name}`,
      ...(scope.startsWith('zones/') ? { zone: `${selfBase()}/${scope}` } : {}),
    };
    ops.set(name, {
      op,
      left: options.opPolls ?? 1,
      ...(failure
        ? {
            error: {
              errors: [{ code: failure.code, message: `emulated operation failure ${failure.code}` }],
            },
          }
        : {}),
    });
    if (rid) byRequestId.set(rid, name);
    return json(200, op);
  };
  const opStatus = (name: string): RawResponse => {
    const o = ops.get(name);
    if (!o) throw new GceError(404, 'notFound', `operation ${name} not found`);
    if (o.left > 0) {
      o.left--;
      return json(200, o.op);
    }
    o.op = { ...o.op, status: 'DONE', progress: 100, ...(o.error ? { error: o.error } : {}) };
    return json(200, o.op);
  };
  const bodyOf = (req: RawRequest): Record<string, unknown> => {
    try {
      return JSON.parse(req.body || '{}') as Record<string, unknown>;
    } catch {
      throw new GceError(400, 'parseError', 'This API does not support parsing form-encoded input.');
    }
  };
  const instance = (zone: string, name: string): GceInstance => {
    const i = instances.get(`${zone}/${name}`);
    if (!i)
      throw new GceError(
        404,
        'notFound',
        `The resource 'projects/${project}/zones/${zone}/instances/${name}' was not found`,
      );
    return i;
  };
  const nicOf = (i: GceInstance, name: string | null): GceNic => {
    const nic = i.networkInterfaces.find((x) => x.name === (name ?? 'nic0'));
    if (!nic) throw new GceError(400, 'invalid', `Network interface ${name} not found on ${i.name}`);
    return nic;
  };
  const instanceJson = (i: GceInstance): unknown => ({
    kind: 'compute#instance',
    name: i.name,
    zone: `${selfBase()}/zones/${i.zone}`,
    selfLink: instanceUrl(i.zone, i.name),
    // proto3 JSON leaves false out, as GCE's answers do
    ...(i.canIpForward ? { canIpForward: true } : {}),
    networkInterfaces: i.networkInterfaces.map((nic) => ({ ...nic, kind: 'compute#networkInterface' })),
  });

  const handleInstance = (
    req: RawRequest,
    zone: string,
    name: string,
    verb: string | undefined,
  ): RawResponse => {
    const i = instance(zone, name);
    const key = `inst:${zone}/${name}`;
    if (!verb && req.method === 'GET')
      return json(200, instanceJson(stale.read(key, structuredClone(i)) as GceInstance));
    if (verb === 'testIamPermissions' && req.method === 'POST')
      return json(200, gceTestIamPermissions(req.body, denied));
    const nic = nicOf(i, req.query.get('networkInterface'));
    const target = instanceUrl(zone, name);
    const others = [...instances.values()].filter((x) => x !== i);
    if (verb === 'updateNetworkInterface' && req.method === 'PATCH') {
      const b = bodyOf(req) as { fingerprint?: string; aliasIpRanges?: GceNic['aliasIpRanges'] };
      return mutate(req, `zones/${zone}`, target, () => {
        if (b.fingerprint !== nic.fingerprint)
          throw new GceError(
            412,
            'conditionNotMet',
            `Supplied fingerprint does not match current fingerprint.`,
          );
        for (const r of b.aliasIpRanges ?? [])
          for (const o of others)
            if (o.networkInterfaces.some((x) => x.aliasIpRanges.some((a) => a.ipCidrRange === r.ipCidrRange)))
              throw new GceError(
                400,
                'resourceInUseByAnotherResource',
                `IP range ${r.ipCidrRange} is in use by ${o.name}`,
              );
        stale.remember(key, structuredClone(i));
        // PATCH semantics: a field the body leaves out stays as it is (an empty list clears).
        if (b.aliasIpRanges !== undefined) nic.aliasIpRanges = b.aliasIpRanges.map((r) => ({ ...r }));
        nic.fingerprint = fp();
      });
    }
    if (verb === 'addAccessConfig' && req.method === 'POST') {
      const b = bodyOf(req) as { name?: string; type?: string; natIP?: string };
      return mutate(req, `zones/${zone}`, target, () => {
        if (nic.accessConfigs.length > 0)
          throw new GceError(
            400,
            'invalid',
            `At most one access config currently supported (${nic.name} has one).`,
          );
        for (const o of others)
          if (o.networkInterfaces.some((x) => x.accessConfigs.some((a) => a.natIP === b.natIP)))
            throw new GceError(
              400,
              'resourceInUseByAnotherResource',
              `The IP address ${b.natIP} is in use by ${o.name}`,
            );
        stale.remember(key, structuredClone(i));
        nic.accessConfigs.push({
          name: b.name ?? 'external-nat',
          type: b.type ?? 'ONE_TO_ONE_NAT',
          natIP: String(b.natIP),
        });
        nic.fingerprint = fp();
      });
    }
    if (verb === 'deleteAccessConfig' && req.method === 'POST') {
      const acName = req.query.get('accessConfig');
      return mutate(req, `zones/${zone}`, target, () => {
        if (!nic.accessConfigs.some((a) => a.name === acName))
          throw new GceError(400, 'invalid', `Access config ${acName} not found on ${name}/${nic.name}`);
        stale.remember(key, structuredClone(i));
        nic.accessConfigs = nic.accessConfigs.filter((a) => a.name !== acName);
        nic.fingerprint = fp();
      });
    }
    throw new GceError(404, 'notFound', `no emulated ${req.method} ${verb ?? ''}`);
  };

  const handleRoutes = (req: RawRequest, name: string | undefined): RawResponse => {
    const target = (nm: string): string => `${selfBase()}/global/routes/${nm}`;
    if (name === undefined && req.method === 'POST') {
      const b = bodyOf(req) as Partial<GceRoute>;
      const nm = String(b.name ?? '');
      return mutate(req, 'global', target(nm), () => {
        if (routes.has(nm))
          throw new GceError(
            409,
            'alreadyExists',
            `The resource 'projects/${project}/global/routes/${nm}' already exists`,
          );
        if (!b.destRange || !b.nextHopInstance || !b.network)
          throw new GceError(400, 'required', 'destRange, network and nextHopInstance are required');
        stale.remember(`route:${nm}`, undefined);
        const hop = [...instances.values()].find((i) =>
          String(b.nextHopInstance).endsWith(`zones/${i.zone}/instances/${i.name}`),
        );
        routes.set(nm, {
          name: nm,
          network: b.network,
          destRange: b.destRange,
          priority: Number(b.priority ?? 1000),
          nextHopInstance: b.nextHopInstance,
          ...(hop && !hop.canIpForward
            ? {
                warnings: [
                  {
                    code: 'NEXT_HOP_CANNOT_IP_FORWARD',
                    message: `Next hop instance '${hop.name}' cannot forward IP traffic.`,
                    data: [{ key: 'instance', value: hop.name }],
                  },
                ],
              }
            : {}),
        });
        audit(null);
      });
    }
    if (name === undefined && req.method === 'GET') {
      // list, with the one filter form floatip sends: name eq "REGEX" (a full match, as GCE does)
      const f = req.query.get('filter') ?? '';
      const m = /^name eq "(.*)"$/.exec(f);
      if (f && !m) throw new GceError(400, 'invalid', `Invalid list filter expression '${f}'`);
      const re = m ? new RegExp(`^(?:${m[1] ?? ''})$`) : /.*/;
      const names = new Set([
        ...routes.keys(),
        ...stale
          .keys()
          .filter((k) => k.startsWith('route:'))
          .map((k) => k.slice('route:'.length)),
      ]);
      const items = [...names]
        .filter((nm) => re.test(nm))
        .sort()
        .flatMap((nm) => {
          const cur = routes.get(nm);
          const shown = stale.read(`route:${nm}`, cur ? structuredClone(cur) : undefined) as
            GceRoute | undefined;
          return shown ? [{ kind: 'compute#route', selfLink: target(nm), ...shown }] : [];
        });
      return json(200, { kind: 'compute#routeList', id: 'routes', ...(items.length ? { items } : {}) });
    }
    if (name === undefined) throw new GceError(405, 'badRequest', req.method);
    const r = routes.get(name);
    if (req.method === 'GET') {
      const shown = stale.read(`route:${name}`, r ? structuredClone(r) : undefined) as GceRoute | undefined;
      if (!shown)
        throw new GceError(
          404,
          'notFound',
          `The resource 'projects/${project}/global/routes/${name}' was not found`,
        );
      return json(200, { kind: 'compute#route', selfLink: target(name), ...shown });
    }
    if (req.method === 'DELETE')
      return mutate(req, 'global', target(name), () => {
        if (!r)
          throw new GceError(
            404,
            'notFound',
            `The resource 'projects/${project}/global/routes/${name}' was not found`,
          );
        stale.remember(`route:${name}`, structuredClone(r));
        routes.delete(name);
        audit(r.destRange);
      });
    throw new GceError(405, 'badRequest', req.method);
  };

  const handle = async (req: RawRequest): Promise<RawResponse> => {
    requests.push({
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.query),
      body: req.body,
    });
    if (!/^Bearer \S+/.test(String(req.headers.authorization ?? '')))
      return fail(new GceError(401, 'authError', 'Request is missing required authentication credential.'));
    const isWrite = req.method !== 'GET' && !req.path.endsWith('/wait');
    const fault = await faults.admit(`${req.method} ${req.path}`, isWrite);
    if (fault === 'throttle' || fault === 'busy')
      return fail(new GceError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'));
    if (fault === 'server-error') return fail(new GceError(503, 'backendError', 'Backend Error'));
    const prefix = `/compute/v1/projects/${project}/`;
    if (!req.path.startsWith(prefix))
      return fail(new GceError(404, 'notFound', `unknown project in ${req.path}`));
    const rest = req.path.slice(prefix.length).split('/');
    try {
      if (
        (rest[0] === 'zones' && rest[2] === 'operations') ||
        (rest[0] === 'global' && rest[1] === 'operations')
      )
        return opStatus(rest[0] === 'zones' ? (rest[3] ?? '') : (rest[2] ?? ''));
      if (rest[0] === 'zones' && rest[2] === 'instances')
        return handleInstance(req, rest[1] ?? '', rest[3] ?? '', rest[4]);
      if (rest[0] === 'global' && rest[1] === 'routes' && rest[3] === 'testIamPermissions') {
        if (!routes.has(rest[2] ?? '')) throw new GceError(404, 'notFound', `route ${rest[2]} was not found`);
        return json(200, gceTestIamPermissions(req.body, denied));
      }
      if (rest[0] === 'global' && rest[1] === 'routes') return handleRoutes(req, rest[2]);
      throw new GceError(404, 'notFound', `no emulated resource at ${req.path}`);
    } catch (e) {
      if (e instanceof GceError) return fail(e);
      throw e;
    }
  };

  const server = await serve(handle);
  base = server.url;
  return Object.assign(emu, {
    ...server,
    faults,
    project,
    instances,
    routes,
    requests,
    instanceUrl,
    denied,
    reset(): void {
      instances.clear();
      routes.clear();
      ops.clear();
      opFailures.length = 0;
      byRequestId.clear();
      requests.length = 0;
      faults.clear();
      emu.conflictsSeen = 0;
      emu.gapsSeen = 0;
    },
    failOperations(code: string, count = 1, match = /./): void {
      for (let k = 0; k < count; k++) opFailures.push({ code, match });
    },
    addInstance(
      zone: string,
      name: string,
      networkIP: string,
      o: { canIpForward?: boolean } = {},
    ): GceInstance {
      const i: GceInstance = {
        zone,
        name,
        canIpForward: o.canIpForward ?? true,
        networkInterfaces: [
          { name: 'nic0', networkIP, fingerprint: fp(), aliasIpRanges: [], accessConfigs: [] },
        ],
      };
      instances.set(`${zone}/${name}`, i);
      return i;
    },
  });
}
