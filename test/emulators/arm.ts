/**
 * A stateful Azure Resource Manager (Microsoft.Network) emulator for the real @azure/arm-network client,
 * served over TLS on loopback (the SDK's bearer-token policy refuses plain http). It keeps route tables
 * with child routes and network interfaces with IP configurations, each with an ETag, and behaves like
 * NRP where it matters to floatip:
 *  - PUT is a long-running operation: 200/201 with provisioningState Updating and an Azure-AsyncOperation
 *    URL that answers InProgress for `lroPolls` polls, then Succeeded;
 *  - while an operation runs, the parent resource (route table / NIC) is locked: another write gets
 *    409 AnotherOperationInProgress with Retry-After (and retry-after-ms);
 *  - a route carries its table's ETag (one ETag per route table, bumped by any change to any of its
 *    routes), so If-Match on a route fails once ANY route of the table changed;
 *  - If-Match with a stale ETag -> 412 PreconditionFailed; If-None-Match: * on an existing route -> 412;
 *  - a private IP still on another NIC -> 400 PrivateIPAddressIsAllocated; a public IP on another
 *    NIC -> 400 PublicIPAddressInUse; an IPv6 address needs privateIPAddressVersion IPv6 (IPv4 default);
 *  - `failOperations`: an accepted write whose operation ends Failed/Canceled with an error body (and
 *    changes nothing);
 *  - fault injection: latency, throttling (429), 5xx, busy (409), stale GETs.
 * Requests without `Authorization: Bearer ...` are refused with 401.
 */
import { serve, type Emulator, type RawRequest, type RawResponse } from './http.ts';
import { Faults, StaleView, type FaultOptions } from './faults.ts';
import { armPermissions } from './preflight.ts';

/** A route has no ETag of its own: it shows (and is matched against) its table's. */
export interface ArmRoute {
  name: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress?: string;
}

export interface ArmRouteTable {
  resourceGroup: string;
  name: string;
  routes: Map<string, ArmRoute>;
  /** The table's ETag, carried by every route in it; any change to the table or a route bumps it. */
  etag: string;
}

export interface ArmIpConfig {
  name: string;
  privateIPAddress: string;
  privateIPAllocationMethod: string;
  /** IPv4 when absent, as in ARM; an IPv6 address needs 'IPv6'. */
  privateIPAddressVersion?: 'IPv4' | 'IPv6';
  primary: boolean;
  subnet: { id: string };
  publicIPAddress?: { id: string };
}

export interface ArmNic {
  resourceGroup: string;
  name: string;
  enableIPForwarding: boolean;
  ipConfigurations: ArmIpConfig[];
  etag: string;
}

export interface ArmOptions extends FaultOptions {
  /** Polls answered InProgress before an operation succeeds. */
  lroPolls?: number;
  /** An operation also finishes (and frees its resource) this long after it started, polled or not. */
  lroMs?: number;
  /** Retry-After of a 409 / 429, in ms (sent as retry-after-ms, and rounded up in seconds as Retry-After). */
  retryAfterMs?: number;
  tls: { key: string; cert: string };
  /**
   * Which bearer tokens are valid (unknown or expired ones are answered 401 ExpiredAuthenticationToken,
   * as ARM answers an expired token); any token when absent.
   */
  acceptToken?: (token: string) => boolean;
}

export interface ArmEmulator extends Emulator {
  faults: Faults;
  tables: Map<string, ArmRouteTable>;
  nics: Map<string, ArmNic>;
  requests: Array<{ method: string; path: string; headers: Record<string, string>; status?: number }>;
  addTable(rg: string, name: string, routes: ArmRoute[]): ArmRouteTable;
  addNic(rg: string, name: string, ipConfigurations: ArmIpConfig[]): ArmNic;
  /**
   * The next `n` writes whose `METHOD path` matches are accepted (201/200/202 with an
   * Azure-AsyncOperation URL) but change nothing, and their operation ends `status` (Failed by default)
   * with `error: { code, message }` in the status body, as ARM documents for an asynchronous operation.
   * `code: null` leaves the error out (a Canceled operation may have none).
   */
  failOperations(o: {
    code: string | null;
    status?: 'Failed' | 'Canceled';
    n?: number;
    match?: RegExp;
  }): void;
  /** Actions the permissions API lists as notActions at every scope (test/emulators/preflight.ts). */
  denied: Set<string>;
}

const SUB = '00000000-0000-0000-0000-000000000001';
const LOCATION = 'westeurope';

class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function startArmEmulator(options: ArmOptions): Promise<ArmEmulator> {
  const faults = new Faults(options);
  const stale = new StaleView<unknown>(faults);
  const tables = new Map<string, ArmRouteTable>();
  const nics = new Map<string, ArmNic>();
  const locks = new Map<string, string>(); // parent resource key -> operation id
  const ops = new Map<
    string,
    {
      left: number;
      lock: string;
      doneAt: number;
      end?: { status: 'Failed' | 'Canceled'; code: string | null };
    }
  >();
  const opFailures: Array<{ status: 'Failed' | 'Canceled'; code: string | null; match: RegExp }> = [];
  /** The failure queued for this write, if any: the write is then not applied. */
  const failureFor = (
    req: RawRequest,
  ): { status: 'Failed' | 'Canceled'; code: string | null } | undefined => {
    const i = opFailures.findIndex((f) => f.match.test(`${req.method} ${req.path}`));
    return i >= 0 ? opFailures.splice(i, 1)[0] : undefined;
  };
  const requests: ArmEmulator['requests'] = [];
  const denied = new Set<string>();
  let n = 0;
  const etag = (): string => `W/"${(++n).toString(16).padStart(8, '0')}-etag"`;
  const retryAfterMs = options.retryAfterMs ?? 50;
  let base = '';

  const rgPath = (rg: string): string =>
    `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network`;
  const routeJson = (t: ArmRouteTable, r: ArmRoute, state: string): unknown => ({
    id: `${rgPath(t.resourceGroup)}/routeTables/${t.name}/routes/${r.name}`,
    name: r.name,
    etag: t.etag,
    type: 'Microsoft.Network/routeTables/routes',
    properties: {
      addressPrefix: r.addressPrefix,
      nextHopType: r.nextHopType,
      ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
      provisioningState: state,
    },
  });
  const nicJson = (nic: ArmNic, state: string): unknown => ({
    id: `${rgPath(nic.resourceGroup)}/networkInterfaces/${nic.name}`,
    name: nic.name,
    etag: nic.etag,
    location: LOCATION,
    type: 'Microsoft.Network/networkInterfaces',
    properties: {
      provisioningState: state,
      enableIPForwarding: nic.enableIPForwarding,
      ipConfigurations: nic.ipConfigurations.map((c) => ({
        id: `${rgPath(nic.resourceGroup)}/networkInterfaces/${nic.name}/ipConfigurations/${c.name}`,
        name: c.name,
        etag: nic.etag,
        properties: {
          privateIPAddress: c.privateIPAddress,
          privateIPAllocationMethod: c.privateIPAllocationMethod,
          privateIPAddressVersion: c.privateIPAddressVersion ?? 'IPv4',
          primary: c.primary,
          subnet: c.subnet,
          ...(c.publicIPAddress ? { publicIPAddress: { id: c.publicIPAddress.id } } : {}),
          provisioningState: state,
        },
      })),
    },
  });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  });
  const fail = (e: ArmError, headers: Record<string, string> = {}): RawResponse =>
    json(e.status, { error: { code: e.code, message: e.message } }, headers);
  const retryHeaders = (): Record<string, string> => ({
    'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    'retry-after-ms': String(retryAfterMs),
  });

  /** Starts an LRO holding `lock`; returns the Azure-AsyncOperation header. */
  const startOp = (
    lock: string,
    end?: { status: 'Failed' | 'Canceled'; code: string | null },
  ): Record<string, string> => {
    const id = `op-${++n}`;
    ops.set(id, {
      left: options.lroPolls ?? 1,
      lock,
      doneAt: Date.now() + (options.lroMs ?? 1000),
      ...(end ? { end } : {}),
    });
    locks.set(lock, id);
    return {
      'azure-asyncoperation': `${base}/subscriptions/${SUB}/providers/Microsoft.Network/locations/${LOCATION}/operations/${id}?api-version=2025-05-01`,
    };
  };
  const checkLock = (lock: string): void => {
    const op = locks.get(lock);
    const o = op ? ops.get(op) : undefined;
    if (op && o && Date.now() >= o.doneAt) {
      o.left = 0;
      locks.delete(lock);
      return;
    }
    if (op)
      throw new ArmError(
        409,
        'AnotherOperationInProgress',
        `Another operation on this or dependent resource is in progress (${op}); retry after the Retry-After interval`,
      );
  };
  const checkEtag = (req: RawRequest, current: string | undefined): void => {
    const ifMatch = req.headers['if-match'];
    const ifNone = req.headers['if-none-match'];
    if (typeof ifMatch === 'string' && ifMatch !== '*' && ifMatch !== current)
      throw new ArmError(
        412,
        'PreconditionFailed',
        `The ETag ${ifMatch} does not match the current ${current ?? '(none)'}`,
      );
    if (ifMatch === '*' && current === undefined)
      throw new ArmError(412, 'PreconditionFailed', 'The resource does not exist');
    if (ifNone === '*' && current !== undefined)
      throw new ArmError(412, 'PreconditionFailed', 'If-None-Match: * but the resource exists');
  };
  const body = (req: RawRequest): Record<string, unknown> => {
    try {
      return JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      throw new ArmError(
        400,
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized',
      );
    }
  };

  const routes = async (
    req: RawRequest,
    rg: string,
    tableName: string,
    routeName: string | undefined,
  ): Promise<RawResponse> => {
    const key = `${rg}/${tableName}`;
    const t = tables.get(key);
    if (!t) throw new ArmError(404, 'ResourceNotFound', `Route table ${tableName} not found`);
    const state = locks.has(key) ? 'Updating' : 'Succeeded';
    if (routeName === undefined) {
      if (req.method !== 'GET')
        throw new ArmError(405, 'MethodNotAllowed', 'only GET of a route table is emulated');
      const shown = stale.read(`rt:${key}`, structuredClone(t)) as ArmRouteTable;
      return json(200, {
        id: `${rgPath(rg)}/routeTables/${tableName}`,
        name: tableName,
        etag: shown.etag,
        location: LOCATION,
        properties: {
          routes: [...shown.routes.values()].map((r) => routeJson(shown, r, state)),
          provisioningState: state,
        },
      });
    }
    const current = t.routes.get(routeName);
    if (req.method === 'GET') {
      const shown = stale.read(
        `route:${key}/${routeName}`,
        current ? structuredClone(current) : undefined,
      ) as ArmRoute | undefined;
      if (!shown) throw new ArmError(404, 'NotFound', `Route ${routeName} not found`);
      return json(200, routeJson(t, shown, state));
    }
    if (req.method === 'PUT') {
      checkLock(key);
      checkEtag(req, current ? t.etag : undefined);
      const props = (body(req).properties ?? {}) as Record<string, unknown>;
      if (typeof props.addressPrefix !== 'string' || typeof props.nextHopType !== 'string')
        throw new ArmError(
          400,
          'InvalidRequestFormat',
          'properties.addressPrefix and properties.nextHopType are required',
        );
      const next: ArmRoute = {
        name: routeName,
        addressPrefix: props.addressPrefix,
        nextHopType: props.nextHopType,
        ...(typeof props.nextHopIpAddress === 'string' ? { nextHopIpAddress: props.nextHopIpAddress } : {}),
      };
      const failure = failureFor(req);
      if (failure) return json(current ? 200 : 201, routeJson(t, next, 'Updating'), startOp(key, failure));
      stale.remember(`route:${key}/${routeName}`, current ? structuredClone(current) : undefined);
      stale.remember(`rt:${key}`, structuredClone(t));
      t.routes.set(routeName, next);
      t.etag = etag();
      return json(current ? 200 : 201, routeJson(t, next, 'Updating'), startOp(key));
    }
    if (req.method === 'DELETE') {
      checkLock(key);
      if (!current) return { status: 204 };
      const failure = failureFor(req);
      if (failure)
        return { status: 202, headers: { ...startOp(key, failure), location: `${base}${req.path}` } };
      stale.remember(`route:${key}/${routeName}`, structuredClone(current));
      t.routes.delete(routeName);
      t.etag = etag();
      return { status: 202, headers: { ...startOp(key), location: `${base}${req.path}` } };
    }
    throw new ArmError(405, 'MethodNotAllowed', req.method);
  };

  const nicHandler = async (req: RawRequest, rg: string, name: string): Promise<RawResponse> => {
    const key = `${rg}/${name}`;
    const nic = nics.get(key);
    if (!nic) throw new ArmError(404, 'ResourceNotFound', `Network interface ${name} not found`);
    const state = locks.has(key) ? 'Updating' : 'Succeeded';
    if (req.method === 'GET')
      return json(200, nicJson(stale.read(`nic:${key}`, structuredClone(nic)) as ArmNic, state));
    if (req.method !== 'PUT') throw new ArmError(405, 'MethodNotAllowed', req.method);
    checkLock(key);
    checkEtag(req, nic.etag);
    const props = (body(req).properties ?? {}) as {
      ipConfigurations?: unknown;
      enableIPForwarding?: unknown;
    };
    if (!Array.isArray(props.ipConfigurations) || props.ipConfigurations.length === 0)
      throw new ArmError(
        400,
        'InvalidRequestFormat',
        'properties.ipConfigurations must be a non-empty array',
      );
    const configs: ArmIpConfig[] = props.ipConfigurations.map((raw: unknown) => {
      const c = raw as { name?: string; properties?: Record<string, unknown> };
      const p = c.properties ?? {};
      const pip = p.publicIPAddress as { id?: string } | undefined;
      const version = p.privateIPAddressVersion === 'IPv6' ? 'IPv6' : 'IPv4';
      const address = String(p.privateIPAddress ?? '');
      if (address.includes(':') !== (version === 'IPv6'))
        throw new ArmError(
          400,
          'InvalidRequestFormat',
          `IP configuration ${String(c.name)}: private IP address ${address} is not an ${version} address (privateIPAddressVersion)`,
        );
      return {
        name: String(c.name),
        privateIPAddress: address,
        privateIPAllocationMethod: String(p.privateIPAllocationMethod ?? 'Dynamic'),
        ...(version === 'IPv6' ? { privateIPAddressVersion: version } : {}),
        primary: p.primary === true,
        subnet: (p.subnet as { id: string }) ?? { id: '' },
        ...(pip?.id ? { publicIPAddress: { id: pip.id } } : {}),
      };
    });
    for (const other of nics.values()) {
      if (other === nic) continue;
      for (const c of other.ipConfigurations) {
        const clash = configs.find((x) => x.privateIPAddress === c.privateIPAddress);
        if (clash)
          throw new ArmError(
            400,
            'PrivateIPAddressIsAllocated',
            `IP configuration ${clash.name} is using the private IP address ${c.privateIPAddress} which is already allocated to ${other.name}/${c.name}`,
          );
        const pip = configs.find((x) => x.publicIPAddress && x.publicIPAddress.id === c.publicIPAddress?.id);
        if (pip)
          throw new ArmError(
            400,
            'PublicIPAddressInUse',
            `Public IP ${pip.publicIPAddress?.id} is in use by ${other.name}/${c.name}`,
          );
      }
    }
    const failure = failureFor(req);
    if (failure) return json(200, nicJson(nic, 'Updating'), startOp(key, failure));
    stale.remember(`nic:${key}`, structuredClone(nic));
    nic.ipConfigurations = configs;
    if (typeof props.enableIPForwarding === 'boolean') nic.enableIPForwarding = props.enableIPForwarding;
    nic.etag = etag();
    return json(200, nicJson(nic, 'Updating'), startOp(key));
  };

  const handle = async (req: RawRequest): Promise<RawResponse> => {
    requests.push({
      method: req.method,
      path: req.path,
      headers: Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
      ),
    });
    const bearer = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!bearer)
      return fail(new ArmError(401, 'AuthenticationFailed', 'Authentication failed: no bearer token'));
    if (options.acceptToken && !options.acceptToken(bearer[1] ?? ''))
      return fail(
        new ArmError(
          401,
          'ExpiredAuthenticationToken',
          'The access token expiry UTC time is earlier than now.',
        ),
        {
          'www-authenticate':
            'Bearer error="invalid_token", error_description="The access token has expired"',
        },
      );
    const op = /\/providers\/Microsoft\.Network\/locations\/[^/]+\/operations\/([^/]+)$/.exec(req.path);
    const isWrite = req.method === 'PUT' || req.method === 'DELETE';
    const fault = await faults.admit(`${req.method} ${req.path}`, isWrite);
    if (fault === 'throttle')
      return fail(new ArmError(429, 'TooManyRequests', 'Too many requests'), retryHeaders());
    if (fault === 'busy')
      return fail(
        new ArmError(409, 'AnotherOperationInProgress', 'Another operation is in progress'),
        retryHeaders(),
      );
    if (fault === 'server-error')
      return fail(new ArmError(500, 'InternalServerError', 'Internal server error'));
    try {
      if (op) {
        const o = ops.get(op[1] ?? '');
        if (!o) throw new ArmError(404, 'NotFound', 'operation not found');
        if (o.left > 0 && Date.now() < o.doneAt) {
          o.left--;
          return json(200, { status: 'InProgress' });
        }
        if (locks.get(o.lock) === op[1]) locks.delete(o.lock);
        if (o.end)
          return json(200, {
            status: o.end.status,
            ...(o.end.code === null
              ? {}
              : { error: { code: o.end.code, message: `emulated operation end: ${o.end.code}` } }),
          });
        return json(200, { status: 'Succeeded' });
      }
      if (req.method === 'GET' && req.path.endsWith('/providers/Microsoft.Authorization/permissions'))
        return json(200, armPermissions(denied));
      const m =
        /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/(routeTables|networkInterfaces)\/([^/]+)(?:\/routes\/([^/]+))?$/.exec(
          req.path,
        );
      if (!m) throw new ArmError(404, 'NotFound', `no emulated resource at ${req.path}`);
      const [, rg = '', type, name = '', route] = m;
      return type === 'routeTables' ? await routes(req, rg, name, route) : await nicHandler(req, rg, name);
    } catch (e) {
      if (!(e instanceof ArmError)) throw e;
      return fail(e, e.status === 409 ? retryHeaders() : {});
    }
  };

  const server = await serve(async (req) => {
    const res = await handle(req);
    const entry = requests.at(-1);
    if (entry && entry.path === req.path && entry.status === undefined) entry.status = res.status;
    return res;
  }, options.tls);
  base = server.url;
  return {
    ...server,
    faults,
    tables,
    nics,
    requests,
    failOperations({ code, status = 'Failed', n: count = 1, match = /./ }) {
      for (let k = 0; k < count; k++) opFailures.push({ status, code, match });
    },
    denied,
    addTable(rg, name, list) {
      const t: ArmRouteTable = { resourceGroup: rg, name, etag: etag(), routes: new Map() };
      for (const r of list) t.routes.set(r.name, { ...r });
      tables.set(`${rg}/${name}`, t);
      return t;
    },
    addNic(rg, name, ipConfigurations) {
      const nic: ArmNic = {
        resourceGroup: rg,
        name,
        enableIPForwarding: true,
        ipConfigurations,
        etag: etag(),
      };
      nics.set(`${rg}/${name}`, nic);
      return nic;
    },
  };
}

export const armSubscription = SUB;
