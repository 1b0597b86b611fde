/**
 * A stateful EC2 emulator speaking the EC2 query protocol (POST form body, `Action=...`, XML answers in
 * the 2016-11-15 namespace), for the real @aws-sdk/client-ec2 pointed at it with `endpoint`. It keeps
 * network interfaces (private IPs, source/dest check), elastic IPs and route tables (IPv4 and IPv6), and
 * answers the way EC2 does for the cases floatip cares about: Resource.AlreadyAssociated without
 * AllowReassociation, PrivateIpAddressInUse without AllowReassignment, RouteAlreadyExists,
 * InvalidRoute.NotFound (DeleteRoute) and InvalidParameterValue (ReplaceRoute of a missing route),
 * destinations stored in canonical form, RequestLimitExceeded (503) when throttled, stale Describe
 * answers, ids that are not visible yet right after their creation (`notYetVisible`), and a reassigned
 * secondary IP that lingers on its old ENI (`reassignLag`). Every behaviour and its source:
 * test/emulators/README.md.
 */
import { serve, type Emulator, type RawRequest, type RawResponse } from './http.ts';
import { Faults, StaleView, type FaultOptions } from './faults.ts';
import { xml, type XmlValue } from './xml.ts';
import { canonicalCidr, checkCidr } from '../../core/model/index.ts';
import { ec2DryRun } from './preflight.ts';

export interface Eni {
  id: string;
  subnetId: string;
  instanceId: string | null;
  vpcId: string;
  sourceDestCheck: boolean;
  /** The first is the primary private IP. */
  privateIps: string[];
}

export interface ElasticIp {
  allocationId: string;
  publicIp: string;
  associationId: string | null;
  eniId: string | null;
  privateIp: string | null;
}

export interface Route {
  destination: string;
  ipv6: boolean;
  eniId: string | null;
  instanceId: string | null;
  gatewayId: string | null;
}

export interface RouteTable {
  id: string;
  vpcId: string;
  routes: Route[];
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const WRITES = new Set([
  'AssociateAddress',
  'DisassociateAddress',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
  'ReplaceRoute',
  'CreateRoute',
  'DeleteRoute',
  'ModifyNetworkInterfaceAttribute',
]);

class Ec2Error extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const clone = <T>(v: T): T => structuredClone(v);
/** One network however it is spelled (a request must name an existing route's CIDR). */
const sameCidr = (a: string, b: string): boolean => a === b || canonicalCidr(a) === canonicalCidr(b);

export class Ec2State {
  enis = new Map<string, Eni>();
  addresses = new Map<string, ElasticIp>();
  tables = new Map<string, RouteTable>();
  #n = 0;
  nextId(prefix: string): string {
    this.#n++;
    return `${prefix}-${this.#n.toString(16).padStart(8, '0')}`;
  }
  addEni(e: Partial<Eni> & { id: string; privateIps: string[] }): Eni {
    const eni: Eni = { subnetId: 'subnet-1', vpcId: 'vpc-1', instanceId: null, sourceDestCheck: true, ...e };
    this.enis.set(eni.id, eni);
    return eni;
  }
  addAddress(a: { allocationId: string; publicIp: string }): ElasticIp {
    const eip: ElasticIp = { ...a, associationId: null, eniId: null, privateIp: null };
    this.addresses.set(a.allocationId, eip);
    return eip;
  }
  addTable(t: { id: string; vpcId?: string; routes?: Partial<Route>[] }): RouteTable {
    const table: RouteTable = {
      id: t.id,
      vpcId: t.vpcId ?? 'vpc-1',
      routes: (t.routes ?? []).map((r) => ({
        destination: r.destination ?? '0.0.0.0/0',
        ipv6: r.ipv6 ?? (r.destination ?? '').includes(':'),
        eniId: r.eniId ?? null,
        instanceId: r.instanceId ?? null,
        gatewayId: r.gatewayId ?? null,
      })),
    };
    this.tables.set(t.id, table);
    return table;
  }
  route(tableId: string, destination: string): Route | undefined {
    return this.tables.get(tableId)?.routes.find((r) => sameCidr(r.destination, destination));
  }
}

/** Values of `Name.1`, `Name.2`, ... in an EC2 query. */
const list = (q: URLSearchParams, name: string): string[] => {
  const out: string[] = [];
  for (let i = 1; q.has(`${name}.${i}`); i++) out.push(q.get(`${name}.${i}`) ?? '');
  return out;
};

export interface Ec2Options extends FaultOptions {
  /**
   * After AssignPrivateIpAddresses moves an address (AllowReassignment), the old ENI still shows it for
   * this many DescribeNetworkInterfaces answers (EC2 completes the move asynchronously).
   */
  reassignLag?: number;
}

export interface Ec2Emulator extends Emulator {
  state: Ec2State;
  faults: Faults;
  /**
   * Eventual consistency of a new resource: the next `n` requests naming `id` answer its
   * `Invalid*ID.NotFound` code, as EC2 may right after a create.
   */
  notYetVisible(id: string, n: number): void;
  /** The next `n` requests of `action` fail with `code` (e.g. IncorrectInstanceState) and HTTP 400. */
  failNext(action: string, code: string, message: string, n?: number): void;
  /** Every request received, in order: action and query parameters. */
  requests: Array<{ action: string; params: Record<string, string> }>;
  /** Actions a `DryRun=true` request is refused (UnauthorizedOperation) for (test/emulators/preflight.ts). */
  denied: Set<string>;
}

export async function startEc2Emulator(options: Ec2Options = {}): Promise<Ec2Emulator> {
  const state = new Ec2State();
  const faults = new Faults(options);
  const stale = new StaleView<unknown>(faults);
  const requests: Ec2Emulator['requests'] = [];
  const invisible = new Map<string, number>();
  const failing: Array<{ action: string; code: string; message: string }> = [];
  /** Old ENI id -> the address that is still shown on it, and for how many more reads. */
  const lingering = new Map<string, { ip: string; left: number }>();
  const denied = new Set<string>();

  const need = <T>(m: Map<string, T>, id: string | null, code: string): T => {
    const v = id === null ? undefined : m.get(id);
    const hidden = id === null ? 0 : (invisible.get(id) ?? 0);
    if (id !== null && hidden > 0) invisible.set(id, hidden - 1);
    if (v === undefined || hidden > 0) throw new Ec2Error(code, `The ID '${id}' does not exist`);
    return v;
  };
  const param = (q: URLSearchParams, name: string): string => {
    const v = q.get(name);
    if (v === null || v === '')
      throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
    return v;
  };
  const eniOfInstance = (instanceId: string): Eni => {
    const eni = [...state.enis.values()].find((e) => e.instanceId === instanceId);
    if (!eni)
      throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return eni;
  };
  const remember = (key: string, value: unknown): void => stale.remember(key, clone(value));
  const seen = <T>(key: string, value: T): T => stale.read(key, clone(value)) as T;
  const touchAddress = (a: ElasticIp): void => remember(`eip:${a.allocationId}`, a);

  const addressXml = (a: ElasticIp): XmlValue => ({
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: 'vpc',
    associationId: a.associationId,
    networkInterfaceId: a.eniId,
    privateIpAddress: a.privateIp,
    instanceId: a.eniId ? state.enis.get(a.eniId)?.instanceId : null,
  });
  const shownIps = (e: Eni): string[] => {
    const l = lingering.get(e.id);
    if (!l) return e.privateIps;
    if (--l.left <= 0) lingering.delete(e.id);
    return e.privateIps.includes(l.ip) ? e.privateIps : [...e.privateIps, l.ip];
  };
  const eniXml = (e: Eni): XmlValue => ({
    networkInterfaceId: e.id,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    sourceDestCheck: e.sourceDestCheck,
    privateIpAddress: e.privateIps[0],
    attachment: e.instanceId ? { instanceId: e.instanceId, status: 'attached' } : null,
    privateIpAddressesSet: shownIps(e).map((ip, i) => ({ privateIpAddress: ip, primary: i === 0 })),
  });
  const tableXml = (t: RouteTable): XmlValue => ({
    routeTableId: t.id,
    vpcId: t.vpcId,
    routeSet: t.routes.map((r) => ({
      [r.ipv6 ? 'destinationIpv6CidrBlock' : 'destinationCidrBlock']: r.destination,
      networkInterfaceId: r.eniId,
      instanceId: r.instanceId,
      gatewayId: r.gatewayId,
      state: r.eniId && !state.enis.has(r.eniId) ? 'blackhole' : 'active',
      origin: r.gatewayId === 'local' ? 'CreateRouteTable' : 'CreateRoute',
    })),
  });

  const routeTarget = (q: URLSearchParams): Pick<Route, 'eniId' | 'instanceId' | 'gatewayId'> => {
    const eniId = q.get('NetworkInterfaceId');
    const instanceId = q.get('InstanceId');
    const gatewayId = q.get('GatewayId');
    if ([eniId, instanceId, gatewayId].filter((v) => v).length !== 1)
      throw new Ec2Error('InvalidParameterCombination', 'You must specify exactly one target');
    if (eniId)
      return {
        eniId: need(state.enis, eniId, 'InvalidNetworkInterfaceID.NotFound').id,
        instanceId: null,
        gatewayId: null,
      };
    if (instanceId) {
      const eni = eniOfInstance(instanceId);
      return { eniId: eni.id, instanceId, gatewayId: null };
    }
    return { eniId: null, instanceId: null, gatewayId };
  };
  // EC2 stores an IPv4 destination in canonical form, host bits cleared (10.0.0.1/18 -> 10.0.0.0/18:
  // documented for DestinationCidrBlock only); an IPv6 one is kept as sent. Either way a request naming
  // the same network finds the same route.
  const canonical = (text: string, field: string): string => {
    const c = checkCidr(text);
    if (field === 'destinationIpv6CidrBlock' && (c.ok || c.canonical)) return text;
    if (c.ok) return c.cidr;
    if (c.canonical) return c.canonical;
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value (${text}) for parameter ${field} is invalid. This is not a valid CIDR block.`,
    );
  };
  const routeDest = (q: URLSearchParams): { destination: string; ipv6: boolean } => {
    const v4 = q.get('DestinationCidrBlock');
    const v6 = q.get('DestinationIpv6CidrBlock');
    if (v4) return { destination: canonical(v4, 'destinationCidrBlock'), ipv6: false };
    if (v6) return { destination: canonical(v6, 'destinationIpv6CidrBlock'), ipv6: true };
    throw new Ec2Error('MissingParameter', 'A destination CIDR block is required');
  };
  /** `Filter.N.Name` / `Filter.N.Value.M` of a Describe request. */
  const filters = (q: URLSearchParams): Array<{ name: string; values: string[] }> => {
    const out: Array<{ name: string; values: string[] }> = [];
    for (let i = 1; q.has(`Filter.${i}.Name`); i++)
      out.push({ name: q.get(`Filter.${i}.Name`) ?? '', values: list(q, `Filter.${i}.Value`) });
    return out;
  };
  const eniMatches = (e: Eni, f: { name: string; values: string[] }): boolean => {
    if (f.name === 'addresses.private-ip-address' || f.name === 'private-ip-address')
      return e.privateIps.some((ip) => f.values.includes(ip));
    if (f.name === 'vpc-id') return f.values.includes(e.vpcId);
    if (f.name === 'network-interface-id') return f.values.includes(e.id);
    throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  };

  const actions: Record<string, (q: URLSearchParams) => XmlValue> = {
    DescribeAddresses(q) {
      const ids = list(q, 'AllocationId');
      const all = ids.length
        ? ids.map((id) => need(state.addresses, id, 'InvalidAllocationID.NotFound'))
        : [...state.addresses.values()];
      return { addressesSet: all.map((a) => addressXml(seen(`eip:${a.allocationId}`, a))) };
    },
    DescribeNetworkInterfaces(q) {
      const ids = list(q, 'NetworkInterfaceId');
      const fs = filters(q);
      const all = (
        ids.length
          ? ids.map((id) => need(state.enis, id, 'InvalidNetworkInterfaceID.NotFound'))
          : [...state.enis.values()]
      ).filter((e) => fs.every((f) => eniMatches(e, f)));
      return { networkInterfaceSet: all.map((e) => eniXml(seen(`eni:${e.id}`, e))) };
    },
    DescribeRouteTables(q) {
      const ids = list(q, 'RouteTableId');
      const all = ids.length
        ? ids.map((id) => need(state.tables, id, 'InvalidRouteTableID.NotFound'))
        : [...state.tables.values()];
      return { routeTableSet: all.map((t) => tableXml(seen(`rtb:${t.id}`, t))) };
    },
    AssociateAddress(q) {
      const a = need(state.addresses, param(q, 'AllocationId'), 'InvalidAllocationID.NotFound');
      const instanceId = q.get('InstanceId');
      const eniId = q.get('NetworkInterfaceId');
      if ((instanceId ? 1 : 0) + (eniId ? 1 : 0) !== 1)
        throw new Ec2Error(
          'InvalidParameterCombination',
          'Specify an instance or a network interface, not both',
        );
      const eni = eniId
        ? need(state.enis, eniId, 'InvalidNetworkInterfaceID.NotFound')
        : eniOfInstance(instanceId ?? '');
      const privateIp = q.get('PrivateIpAddress') ?? eni.privateIps[0] ?? null;
      if (privateIp === null || !eni.privateIps.includes(privateIp))
        throw new Ec2Error('InvalidParameterValue', `${privateIp} is not an address of ${eni.id}`);
      if (a.eniId === eni.id && a.privateIp === privateIp)
        return { associationId: a.associationId, return: true };
      // Reassociation is EC2's default; only an explicit AllowReassociation=false refuses it.
      if (a.associationId && q.get('AllowReassociation') === 'false')
        throw new Ec2Error(
          'Resource.AlreadyAssociated',
          `resource ${a.allocationId} is already associated with associate-id ${a.associationId}`,
        );
      touchAddress(a);
      a.associationId = state.nextId('eipassoc');
      a.eniId = eni.id;
      a.privateIp = privateIp;
      return { associationId: a.associationId, return: true };
    },
    DisassociateAddress(q) {
      const id = param(q, 'AssociationId');
      const a = [...state.addresses.values()].find((x) => x.associationId === id);
      if (!a)
        throw new Ec2Error('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
      touchAddress(a);
      Object.assign(a, { associationId: null, eniId: null, privateIp: null });
      return { return: true };
    },
    AssignPrivateIpAddresses(q) {
      const eni = need(state.enis, param(q, 'NetworkInterfaceId'), 'InvalidNetworkInterfaceID.NotFound');
      const ips = list(q, 'PrivateIpAddress');
      for (const ip of ips) {
        const other = [...state.enis.values()].find((e) => e.id !== eni.id && e.privateIps.includes(ip));
        if (other && q.get('AllowReassignment') !== 'true')
          throw new Ec2Error('PrivateIpAddressInUse', `Address ${ip} is in use by ${other.id}`);
        if (other && other.privateIps[0] === ip)
          throw new Ec2Error('InvalidParameterValue', `${ip} is the primary address of ${other.id}`);
      }
      for (const ip of ips) {
        if (eni.privateIps.includes(ip)) continue;
        const other = [...state.enis.values()].find((e) => e.privateIps.includes(ip));
        remember(`eni:${eni.id}`, eni);
        if (other) {
          remember(`eni:${other.id}`, other);
          other.privateIps = other.privateIps.filter((p) => p !== ip);
          if ((options.reassignLag ?? 0) > 0) lingering.set(other.id, { ip, left: options.reassignLag ?? 0 });
          // "any Elastic IP address that is associated with the IP address is also moved"
          for (const a of state.addresses.values())
            if (a.eniId === other.id && a.privateIp === ip) {
              touchAddress(a);
              a.eniId = eni.id;
            }
        }
        eni.privateIps = [...eni.privateIps, ip];
      }
      return { return: true };
    },
    UnassignPrivateIpAddresses(q) {
      const eni = need(state.enis, param(q, 'NetworkInterfaceId'), 'InvalidNetworkInterfaceID.NotFound');
      for (const ip of list(q, 'PrivateIpAddress')) {
        if (!eni.privateIps.includes(ip))
          throw new Ec2Error('InvalidParameterValue', `${ip} is not assigned to ${eni.id}`);
        remember(`eni:${eni.id}`, eni);
        eni.privateIps = eni.privateIps.filter((p) => p !== ip);
        for (const a of state.addresses.values())
          if (a.eniId === eni.id && a.privateIp === ip) {
            touchAddress(a);
            Object.assign(a, { associationId: null, eniId: null, privateIp: null });
          }
      }
      return { return: true };
    },
    ReplaceRoute(q) {
      const t = need(state.tables, param(q, 'RouteTableId'), 'InvalidRouteTableID.NotFound');
      const { destination } = routeDest(q);
      const r = t.routes.find((x) => sameCidr(x.destination, destination));
      // Not InvalidRoute.NotFound (that is DeleteRoute's answer): ReplaceRoute says this.
      if (!r)
        throw new Ec2Error(
          'InvalidParameterValue',
          `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`,
        );
      const target = routeTarget(q);
      remember(`rtb:${t.id}`, t);
      Object.assign(r, target);
      return { return: true };
    },
    CreateRoute(q) {
      const t = need(state.tables, param(q, 'RouteTableId'), 'InvalidRouteTableID.NotFound');
      const dest = routeDest(q);
      const target = routeTarget(q);
      if (t.routes.some((x) => sameCidr(x.destination, dest.destination)))
        throw new Ec2Error(
          'RouteAlreadyExists',
          `The route identified by ${dest.destination} already exists.`,
        );
      remember(`rtb:${t.id}`, t);
      t.routes.push({ ...dest, ...target });
      return { return: true };
    },
    DeleteRoute(q) {
      const t = need(state.tables, param(q, 'RouteTableId'), 'InvalidRouteTableID.NotFound');
      const { destination } = routeDest(q);
      if (!t.routes.some((x) => sameCidr(x.destination, destination)))
        throw new Ec2Error(
          'InvalidRoute.NotFound',
          `no route with destination-cidr-block ${destination} in ${t.id}`,
        );
      remember(`rtb:${t.id}`, t);
      t.routes = t.routes.filter((x) => !sameCidr(x.destination, destination));
      return { return: true };
    },
    ModifyNetworkInterfaceAttribute(q) {
      const eni = need(state.enis, param(q, 'NetworkInterfaceId'), 'InvalidNetworkInterfaceID.NotFound');
      const v = q.get('SourceDestCheck.Value');
      if (v === null) throw new Ec2Error('MissingParameter', 'only SourceDestCheck is emulated');
      remember(`eni:${eni.id}`, eni);
      eni.sourceDestCheck = v === 'true';
      return { return: true };
    },
  };

  const errorXml = (code: string, message: string, status: number): RawResponse => ({
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>${state.nextId('req')}</RequestID></Response>`,
  });

  const handle = async (req: RawRequest): Promise<RawResponse> => {
    const q = new URLSearchParams(req.body);
    const action = q.get('Action') ?? '';
    requests.push({ action, params: Object.fromEntries(q) });
    const fault = await faults.admit(action, WRITES.has(action));
    const f = failing.findIndex((x) => x.action === action);
    if (f >= 0) {
      const [e] = failing.splice(f, 1);
      return errorXml(e?.code ?? 'InternalError', e?.message ?? '', 400);
    }
    if (fault === 'throttle' || fault === 'busy')
      return errorXml('RequestLimitExceeded', 'Request limit exceeded.', 503);
    if (fault === 'server-error') return errorXml('InternalError', 'An internal error has occurred', 500);
    const fn = actions[action];
    if (!fn) return errorXml('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
    const dry = ec2DryRun(q, action, denied);
    if (dry) return errorXml(dry.code, dry.message, dry.status);
    try {
      const body = fn(q);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NS}"><requestId>${state.nextId('req')}</requestId>${xml(body)}</${action}Response>`,
      };
    } catch (e) {
      if (e instanceof Ec2Error) return errorXml(e.code, e.message, e.status);
      throw e;
    }
  };

  const server = await serve(handle);
  return {
    ...server,
    state,
    faults,
    requests,
    denied,
    notYetVisible: (id, n) => void invisible.set(id, n),
    failNext(action, code, message, n = 1) {
      for (let i = 0; i < n; i++) failing.push({ action, code, message });
    },
  };
}
