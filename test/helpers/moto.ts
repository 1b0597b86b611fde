/**
 * moto (the Python AWS emulator, a peer we did not write) for the AWS and Route 53 tests: `startMoto()`
 * runs `moto_server` on a free loopback port and puts a small relay in front of it. The adapters talk to
 * the relay through the real AWS SDK v3 clients; the relay forwards every request unchanged except where
 * moto is wrong about AWS (each case is in the "moto deviations" section of test/emulators/README.md):
 *
 * - AssignPrivateIpAddresses: moto neither refuses an address another ENI holds (AWS:
 *   PrivateIpAddressInUse unless AllowReassignment) nor takes it off the old ENI. The relay refuses it,
 *   or unassigns it from the old ENI before forwarding.
 * - CreateRoute of a destination that exists: moto overwrites it when the target is a network interface
 *   (its check runs only for other targets; AWS: RouteAlreadyExists).
 * - ChangeResourceRecordSets: moto accepts a CREATE of an existing record and judges a DELETE against its
 *   change journal, not the current values (AWS refuses both with InvalidChangeBatch); its CREATE check
 *   also refuses re-creating values it saw before. The relay checks the batch against the current records
 *   and forwards a checked CREATE as UPSERT.
 *
 * Writes are serialised through the relay, so a check and its write are not interleaved. `throttle(n)`
 * answers the next n requests with the service's throttling error (moto has no rate limits), and
 * `requests` logs every request the relay received, for counting writes. The adapters are never changed
 * to suit moto.
 *
 * `close()` stops moto and the relay; if the test process exits or is killed, moto dies with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { canonicalCidr } from '../../core/model/index.ts';
import { xml, xmlBlocks, xmlText } from '../emulators/xml.ts';

export const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** One of the images moto ships (moto/ec2/resources/amis.json.gz). */
const MOTO_AMI = 'ami-03cf127a';

export interface MotoRequest {
  service: 'ec2' | 'route53';
  /** EC2 Action, or `METHOD path` for Route 53. */
  action: string;
  write: boolean;
}

export interface Moto {
  /** The relay's URL: point the adapters' `endpoint` here. */
  url: string;
  /** SDK clients talking to moto directly (seeding, assertions); not logged, not throttled. */
  ec2: EC2Client;
  route53: Route53Client;
  requests: MotoRequest[];
  /** Writes (anything but a Describe/List/Get) the relay received. */
  writes(): MotoRequest[];
  throttle(n: number): void;
  /** Runs `fn` (e.g. "somebody else" changing moto) just before the next EC2 `action` is forwarded. */
  beforeNext(action: string, fn: () => Promise<void>): void;
  /** Forgets every resource (moto's own reset) and the request log. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

async function spawnMoto(): Promise<{ proc: ChildProcess; url: string }> {
  // moto_server's own entry point, run by python3 after asking the kernel to kill it when this process
  // dies (PR_SET_PDEATHSIG): a test run that is killed leaves no moto behind.
  const script = [
    'import ctypes, signal, sys',
    'ctypes.CDLL(None).prctl(1, signal.SIGKILL)',
    'from moto.server import main',
    "sys.argv = ['moto_server', '-H', '127.0.0.1', '-p', '0']",
    'sys.exit(main())',
  ].join('\n');
  const proc = spawn('python3', ['-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start: ${seen}`)), 30_000);
    const on = (d: Buffer): void => {
      seen += d.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', on);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited (${code}): ${seen}`));
    });
  });
  // Keep draining its log so a full pipe never blocks it.
  proc.stdout?.resume();
  proc.stderr?.resume();
  return { proc, url };
}

const body = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | string;
}

const ec2Error = (code: string, message: string, status = 400): Answer => ({
  status,
  headers: { 'content-type': 'text/xml;charset=UTF-8' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>relay</RequestID></Response>`,
});
const r53Error = (code: string, message: string, status = 400): Answer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>relay</RequestId></ErrorResponse>`,
});

const list = (q: URLSearchParams, name: string): string[] => {
  const out: string[] = [];
  for (let i = 1; q.has(`${name}.${i}`); i++) out.push(q.get(`${name}.${i}`) ?? '');
  return out;
};
const fqdn = (n: string): string => (n.endsWith('.') ? n : `${n}.`);

export async function startMoto(): Promise<Moto> {
  const { proc, url: motoUrl } = await spawnMoto();
  const target = new URL(motoUrl);
  const config = { region: 'us-east-1', endpoint: motoUrl, credentials: motoCredentials, maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const route53 = new Route53Client(config);
  const requests: MotoRequest[] = [];
  let throttled = 0;
  const hooks: Array<{ action: string; fn: () => Promise<void> }> = [];
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after every write before it (a check and its write are never interleaved). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const forward = (req: IncomingMessage, payload: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const out = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(payload.length) },
        },
        (res) => {
          void body(res).then(
            (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
            reject,
          );
        },
      );
      out.on('error', reject);
      out.end(payload);
    });

  const holderOf = async (ip: string, except: string): Promise<string | null> => {
    const all = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    const e = all.find(
      (n) =>
        n.NetworkInterfaceId !== except &&
        (n.PrivateIpAddresses ?? []).some((p) => p.PrivateIpAddress === ip),
    );
    return e?.NetworkInterfaceId ?? null;
  };

  /** EC2 as AWS answers it where moto does not (see the header). */
  const ec2Write = async (req: IncomingMessage, payload: Buffer, q: URLSearchParams): Promise<Answer> => {
    const action = q.get('Action') ?? '';
    const hook = hooks.findIndex((h) => h.action === action);
    if (hook >= 0) await hooks.splice(hook, 1)[0]?.fn();
    if (action === 'AssignPrivateIpAddresses') {
      const eni = q.get('NetworkInterfaceId') ?? '';
      for (const ip of list(q, 'PrivateIpAddress')) {
        const other = await holderOf(ip, eni);
        if (!other) continue;
        if (q.get('AllowReassignment') !== 'true')
          return ec2Error('PrivateIpAddressInUse', `Address ${ip} is in use.`);
        await ec2.send(
          new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: other, PrivateIpAddresses: [ip] }),
        );
      }
    }
    const v4 = q.get('DestinationCidrBlock');
    const v6 = q.get('DestinationIpv6CidrBlock');
    const dest = v4 ?? v6;
    if (action === 'CreateRoute' && dest) {
      const t = (
        await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [q.get('RouteTableId') ?? ''] }))
      ).RouteTables?.[0];
      const want = canonicalCidr(dest);
      const shown = (r: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string }) =>
        v4 ? r.DestinationCidrBlock : r.DestinationIpv6CidrBlock;
      if (t?.Routes?.some((r) => shown(r) !== undefined && canonicalCidr(shown(r) ?? '') === want))
        return ec2Error('RouteAlreadyExists', `The route identified by ${dest} already exists.`);
    }
    return forward(req, payload);
  };

  /** Route 53 change batches checked against the current records, as Route 53 does (see the header). */
  const r53Change = async (req: IncomingMessage, payload: Buffer, zoneId: string): Promise<Answer> => {
    const text = payload.toString('utf8');
    const current = new Map<string, { ttl: number | undefined; values: string[] }>();
    const looked = new Set<string>();
    for (const c of xmlBlocks(text, 'Change')) {
      const set = xmlText(c, 'ResourceRecordSet') ?? '';
      const name = fqdn(xmlText(set, 'Name') ?? '');
      const type = xmlText(set, 'Type') ?? '';
      const key = `${name}|${type}`;
      if (!looked.has(key)) {
        looked.add(key);
        const r = (
          await route53.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: zoneId,
              StartRecordName: name,
              StartRecordType: type as 'A',
              MaxItems: 1,
            }),
          )
        ).ResourceRecordSets?.[0];
        const here = r && fqdn(r.Name ?? '') === name && r.Type === type;
        if (here)
          current.set(key, { ttl: r.TTL, values: (r.ResourceRecords ?? []).map((x) => x.Value ?? '') });
      }
      const action = xmlText(c, 'Action');
      const cur = current.get(key);
      const values = xmlBlocks(set, 'Value');
      const ttl = Number(xmlText(set, 'TTL'));
      if (action === 'CREATE' && cur)
        return r53Error(
          'InvalidChangeBatch',
          `[Tried to create resource record set [name='${name}', type='${type}'] but it already exists]`,
        );
      if (
        action === 'DELETE' &&
        (!cur || cur.ttl !== ttl || [...cur.values].sort().join() !== [...values].sort().join())
      )
        return r53Error(
          'InvalidChangeBatch',
          `[Tried to delete resource record set [name='${name}', type='${type}'] but the values provided do not match the current values]`,
        );
      if (action === 'DELETE') current.delete(key);
      if (action === 'CREATE' || action === 'UPSERT') current.set(key, { ttl, values });
    }
    // Checked: a CREATE is now an UPSERT for moto (same length, so the body stays the same size).
    return forward(req, Buffer.from(text.replaceAll('<Action>CREATE</Action>', '<Action>UPSERT</Action>')));
  };

  const handle = async (req: IncomingMessage): Promise<Answer> => {
    const payload = await body(req);
    const path = req.url ?? '/';
    if (path.startsWith('/2013-04-01/')) {
      const write = req.method === 'POST';
      requests.push({ service: 'route53', action: `${req.method} ${path}`, write });
      if (throttled > 0) {
        throttled--;
        return r53Error('Throttling', 'Rate exceeded');
      }
      const m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(path);
      if (m && write) return serial(() => r53Change(req, payload, m[1] ?? ''));
      return forward(req, payload);
    }
    const q = new URLSearchParams(payload.toString('utf8'));
    const action = q.get('Action') ?? '';
    const write = !/^Describe/.test(action);
    requests.push({ service: 'ec2', action, write });
    if (throttled > 0) {
      throttled--;
      return ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);
    }
    return write ? serial(() => ec2Write(req, payload, q)) : forward(req, payload);
  };

  const server: Server = createServer((req, res) => {
    handle(req).then(
      (a) => {
        const headers = { ...a.headers };
        delete headers['transfer-encoding'];
        delete headers['content-length'];
        delete headers['connection'];
        res.writeHead(a.status, headers);
        res.end(a.body);
      },
      (err: unknown) => {
        // A fault of the test set-up, not of the adapter: say so loudly (the adapter only sees a 500).
        console.error('moto relay failed:', err);
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err instanceof Error ? err.stack : err));
      },
    );
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill('SIGTERM');
    });

  return {
    url,
    ec2,
    route53,
    requests,
    writes: () => requests.filter((r) => r.write),
    throttle: (n) => {
      throttled += n;
    },
    beforeNext: (action, fn) => void hooks.push({ action, fn }),
    async reset() {
      const res = await fetch(`${motoUrl}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      requests.length = 0;
      throttled = 0;
    },
    async close() {
      ec2.destroy();
      route53.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stop();
    },
  };
}

/** What {@link seedAws} made in moto: ids are moto's own. */
export interface AwsSeed {
  vpcId: string;
  /** Members' ENIs (source/dest check off) and one that is not a member. */
  enis: { a: string; b: string; x: string };
  ips: { a: string; b: string; x: string };
  allocationId: string;
  routeTableIds: [string, string];
  hostedZoneId: string;
  zone: string;
}

/**
 * A VPC (with an IPv6 block), a subnet, three instances (their primary ENIs: members a and b, and one
 * that is not a member), an elastic IP, two route tables and a hosted zone, made through the real SDK
 * clients as a user would.
 */
export async function seedAws(m: Moto): Promise<AwsSeed> {
  const vpc = (
    await m.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', AmazonProvidedIpv6CidrBlock: true }))
  ).Vpc;
  const vpcId = vpc?.VpcId ?? '';
  const subnetId =
    (await m.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))).Subnet
      ?.SubnetId ?? '';
  const ips = { a: '10.0.1.10', b: '10.0.1.20', x: '10.0.1.30' };
  const eni = async (ip: string): Promise<string> => {
    // An instance in the subnet; its primary network interface is the member's ENI.
    const instance = (
      await m.ec2.send(
        new RunInstancesCommand({
          ImageId: MOTO_AMI,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          PrivateIpAddress: ip,
        }),
      )
    ).Instances?.[0];
    const id = instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? '';
    // A route's next hop forwards only with source/dest check off (the adapter refuses otherwise).
    await m.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: id,
        SourceDestCheck: { Value: false },
      }),
    );
    return id;
  };
  const enis = { a: await eni(ips.a), b: await eni(ips.b), x: await eni(ips.x) };
  const allocationId = (await m.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId ?? '';
  const table = async (): Promise<string> =>
    (await m.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId ?? '';
  const routeTableIds: [string, string] = [await table(), await table()];
  return { vpcId, enis, ips, allocationId, routeTableIds, ...(await seedZone(m)) };
}

/** A hosted zone `example.com`, made through the Route 53 SDK client. */
export async function seedZone(m: Moto): Promise<{ hostedZoneId: string; zone: string }> {
  const zone = 'example.com';
  const id =
    (
      await m.route53.send(
        new CreateHostedZoneCommand({
          Name: zone,
          CallerReference: `floatip-${Date.now()}-${Math.random()}`,
        }),
      )
    ).HostedZone?.Id ?? '';
  return { hostedZoneId: id.replace(/^\/hostedzone\//, ''), zone };
}

/** Associates the seed's elastic IP with the non-member ENI (to see `foreign`). */
export async function associateWithStranger(m: Moto, s: AwsSeed): Promise<void> {
  await m.ec2.send(
    new AssociateAddressCommand({ AllocationId: s.allocationId, NetworkInterfaceId: s.enis.x }),
  );
}
