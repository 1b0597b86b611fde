// Cloud failover benchmark: a failover of 1, 25 and 100 addresses/routes against the emulators in
// test/emulators, through the real SDKs, with 100 ms of API latency on every request and the providers'
// throttling modelled as token buckets (values below; over the limit the emulator answers the provider's
// throttling error and the adapter backs off with jitter). Describes also lag one read behind a write
// (eventual consistency), so read-back verification has real work to do.
//
// For each case it prints wall time from decision (observe -> plan -> act) to verified, the API calls the
// emulator received (and how many it throttled), and the same failover done the way notify scripts and
// resource agents do it: one resource and one call at a time (concurrency 1, no coalescing), measured in
// the same process. The issue's bar: 100 routes on AWS verified in < 2 s, and no more API calls than
// read + write + verify per resource.
//
// Azure: ten routes per route table, every route carrying its table's ETag (writes to one table queue and
// chain the ETag), each PUT a long-running operation polled to its end, one in 25 ending Failed and
// retried. GCP: every insert/delete an Operation waited for, one in 25 inserts ending RESOURCE_NOT_READY
// and sent again under a new requestId.
//
// Run: npm run bench:cloud   (FIP_CLOUD_QUICK=1 skips the slow sequential baselines above 25;
// FIP_CLOUD_ONLY=azure runs only the cases whose label contains 'azure')
import { performance } from 'node:perf_hooks';
import { AwsVipProvider } from '../adapters/aws/index.ts';
import { AzureVipProvider } from '../adapters/azure/index.ts';
import { GcpVipProvider } from '../adapters/gcp/index.ts';
import { seededRandom } from '../adapters/memory/index.ts';
import { defaultFailoverPolicy, type FailoverPolicy } from '../core/failover/index.ts';
import { failoverHarness } from '../test/helpers/failover.ts';
import type { Holder, VipProvider, VipResource } from '../core/ports/index.ts';
import { armSubscription, startArmEmulator } from '../test/emulators/arm.ts';
import { startEc2Emulator, type Ec2Emulator } from '../test/emulators/ec2.ts';
import type { Faults } from '../test/emulators/faults.ts';
import { startGceEmulator } from '../test/emulators/gce.ts';
import { loopbackCertificate } from '../test/emulators/tls.ts';
import { staticAuth } from '../test/adapters/gcp/fixture.ts';
import { staticCredential } from '../test/adapters/azure/fixture.ts';

const LATENCY_MS = 100;
const SIZES = [1, 25, 100];
const quick = process.env['FIP_CLOUD_QUICK'] === '1';
const only = process.env['FIP_CLOUD_ONLY']; // e.g. 'azure' runs the cases whose label contains it
// Token buckets per request class (per second refill, burst), modelled on the providers' published
// schemes: EC2 request-rate buckets (non-mutating 100/20 s⁻¹, mutating 200/5 s⁻¹), ARM per-subscription
// buckets (reads 250/25 s⁻¹, writes 200/10 s⁻¹), Compute Engine per-minute quotas as buckets.
const RATES = {
  aws: { read: { perSecond: 20, burst: 100 }, write: { perSecond: 5, burst: 200 } },
  azure: { read: { perSecond: 25, burst: 250 }, write: { perSecond: 10, burst: 200 } },
  gcp: { read: { perSecond: 50, burst: 200 }, write: { perSecond: 25, burst: 100 } },
};

// The client-side bucket (policy.rate) is set a little under each provider's limits, so a big failover
// paces itself instead of collecting throttling errors.
const CLIENT_RATE = {
  aws: { perSecond: 100, burst: 400 },
  azure: { perSecond: 20, burst: 200 },
  gcp: { perSecond: 40, burst: 120 },
};
const parallelFor = (rate: FailoverPolicy['rate']): FailoverPolicy => ({
  ...defaultFailoverPolicy,
  concurrency: 128,
  rate,
});
const sequential: FailoverPolicy = { ...defaultFailoverPolicy, concurrency: 1 };

interface Lab {
  provider: VipProvider;
  resources: VipResource[];
  members: Holder[];
  calls(): number;
  throttled(): number;
  close(): Promise<void>;
}

/**
 * A Lab on one emulator: the requests it received are the calls, its throttling answers (ARM's 409 busy
 * included; the other emulators answer none here) the throttled ones.
 */
function labOn(
  em: { requests: unknown[]; faults: Faults; close(): Promise<void> },
  provider: VipProvider,
  resources: VipResource[],
  members: Holder[],
  close: () => Promise<void> = () => em.close(),
): Lab {
  return {
    provider,
    resources,
    members,
    calls: () => em.requests.length,
    throttled: () => em.faults.counts.throttle + em.faults.counts.busy,
    close,
  };
}

type LabMaker = (n: number, policy: FailoverPolicy, baseline: boolean) => Promise<Lab>;

/** Members a (eni-a) and b (eni-b): every AWS case fails over from b to a. */
const awsMembers = (): Holder[] => [
  { id: 'a', spec: { networkInterfaceId: 'eni-a' } },
  { id: 'b', spec: { networkInterfaceId: 'eni-b' } },
];

/** An AwsVipProvider on the seeded emulator; the sequential baseline also turns coalescing off. */
function awsLab(
  ec2: Ec2Emulator,
  members: Holder[],
  resources: VipResource[],
  n: number,
  policy: FailoverPolicy,
  baseline: boolean,
): Lab {
  const provider = new AwsVipProvider({
    region: 'us-east-1',
    endpoint: ec2.url,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    members,
    policy,
    random: seededRandom(n),
    coalesceMs: baseline ? 0 : 5,
  });
  return labOn(ec2, provider, resources, members);
}

const awsRoutes: LabMaker = async (n, policy, baseline) => {
  const ec2 = await startEc2Emulator({ latencyMs: LATENCY_MS, rate: RATES.aws, staleReads: 1 });
  const members = awsMembers();
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', privateIps: ['10.0.1.20'], sourceDestCheck: false });
  const tables = Math.max(1, Math.ceil(n / 10));
  for (let t = 0; t < tables; t++) ec2.state.addTable({ id: `rtb-${t}` });
  const resources: VipResource[] = [];
  for (let i = 0; i < n; i++) {
    const table = `rtb-${i % tables}`;
    const destination = i % 2 === 0 ? `10.9.${i >> 8}.${i & 255}/32` : `fd00:9::${i.toString(16)}/128`;
    ec2.state.tables.get(table)?.routes.push({
      destination,
      ipv6: destination.includes(':'),
      eniId: 'eni-b',
      instanceId: null,
      gatewayId: null,
    });
    resources.push({
      id: `r${i}`,
      provider: 'aws',
      kind: 'route',
      spec: { routeTableIds: [table], destination },
    });
  }
  return awsLab(ec2, members, resources, n, policy, baseline);
};

const awsEips: LabMaker = async (n, policy, baseline) => {
  const ec2 = await startEc2Emulator({ latencyMs: LATENCY_MS, rate: RATES.aws, staleReads: 1 });
  const ips = (o: number) => Array.from({ length: n + 1 }, (_, i) => `10.0.${o}.${i + 10}`);
  ec2.state.addEni({ id: 'eni-a', privateIps: ips(1) });
  ec2.state.addEni({ id: 'eni-b', privateIps: ips(2) });
  const resources: VipResource[] = [];
  for (let i = 0; i < n; i++) {
    const a = ec2.state.addAddress({
      allocationId: `eipalloc-${i}`,
      publicIp: `198.51.${i >> 8}.${i & 255}`,
    });
    Object.assign(a, { associationId: `eipassoc-${i}`, eniId: 'eni-b', privateIp: ips(2)[i + 1] });
    resources.push({
      id: `e${i}`,
      provider: 'aws',
      kind: 'elastic-ip',
      spec: { allocationId: `eipalloc-${i}` },
    });
  }
  // One member per (ENI, private IP): each EIP maps to its own secondary address.
  const members = awsMembers();
  return awsLab(ec2, members, resources, n, policy, baseline);
};

let cert: { key: string; cert: string } | undefined;
const azureRoutes: LabMaker = async (n, policy) => {
  cert ??= loopbackCertificate();
  const arm = await startArmEmulator({
    latencyMs: LATENCY_MS,
    rate: RATES.azure,
    staleReads: 1,
    lroPolls: 1,
    tls: cert,
  });
  // One in 25 route PUTs is accepted but its operation ends Failed (InternalServerError): retried.
  arm.failOperations({ code: 'InternalServerError', n: Math.ceil(n / 25), match: /^PUT / });
  const members = [
    { id: 'a', spec: { privateIp: '10.1.0.4' } },
    { id: 'b', spec: { privateIp: '10.1.0.5' } },
  ];
  const tables = Math.max(1, Math.ceil(n / 10));
  for (let t = 0; t < tables; t++)
    arm.addTable('rg', `rt-${t}`, [{ name: 'default', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' }]);
  const resources: VipResource[] = [];
  for (let i = 0; i < n; i++) {
    const t = arm.tables.get(`rg/rt-${i % tables}`);
    const addressPrefix = `10.9.${i >> 8}.${i & 255}/32`;
    t?.routes.set(`vip-${i}`, {
      name: `vip-${i}`,
      addressPrefix,
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: '10.1.0.5',
    });
    resources.push({
      id: `u${i}`,
      provider: 'azure',
      kind: 'route',
      spec: {
        routeTables: [{ resourceGroup: 'rg', name: `rt-${i % tables}` }],
        route: `vip-${i}`,
        addressPrefix,
      },
    });
  }
  const provider = new AzureVipProvider({
    subscriptionId: armSubscription,
    credential: staticCredential,
    endpoint: arm.url,
    ca: cert.cert,
    members,
    policy,
    lroPollMs: 100,
    random: seededRandom(n),
  });
  return labOn(arm, provider, resources, members);
};

const gcpRoutes: LabMaker = async (n, policy) => {
  const gce = await startGceEmulator({ latencyMs: LATENCY_MS, rate: RATES.gcp, staleReads: 1, opPolls: 1 });
  // One in 25 route inserts is accepted but its Operation ends with RESOURCE_NOT_READY: sent again.
  gce.failOperations('RESOURCE_NOT_READY', Math.ceil(n / 25), /^POST .*\/global\/routes$/);
  gce.addInstance('z', 'vm-a', '10.2.0.4');
  gce.addInstance('z', 'vm-b', '10.2.0.5');
  const members = [
    { id: 'a', spec: { zone: 'z', instance: 'vm-a' } },
    { id: 'b', spec: { zone: 'z', instance: 'vm-b' } },
  ];
  const resources: VipResource[] = [];
  for (let i = 0; i < n; i++) {
    const destRange = `10.9.${i >> 8}.${i & 255}/32`;
    gce.routes.set(`fip-r${i}-a`, {
      name: `fip-r${i}-a`,
      network: 'global/networks/default',
      destRange,
      priority: 1000,
      nextHopInstance: gce.instanceUrl('z', 'vm-b'),
    });
    resources.push({
      id: `g${i}`,
      provider: 'gcp',
      kind: 'route',
      spec: { namePrefix: `fip-r${i}`, network: 'global/networks/default', destRange },
    });
  }
  const provider = new GcpVipProvider({
    project: gce.project,
    endpoint: gce.url,
    authClient: staticAuth(),
    members,
    policy,
    opPollMs: 100,
    random: seededRandom(n),
  });
  return labOn(gce, provider, resources, members, async () => {
    await provider.close();
    await gce.close();
  });
};

interface Figures {
  ms: number;
  calls: number;
  throttled: number;
  ok: boolean;
}

async function failover(
  make: LabMaker,
  n: number,
  baseline: boolean,
  rate: FailoverPolicy['rate'],
): Promise<Figures> {
  const policy = baseline ? sequential : parallelFor(rate);
  const lab = await make(n, policy, baseline);
  try {
    // The one failover use case (as the worker, the agent and the CLI run it), over in-memory fence/state.
    const h = failoverHarness({
      providers: { [lab.provider.name]: lab.provider },
      resources: lab.resources.map((r) => ({ ...r })),
      holders: lab.members,
      provider: lab.provider.name,
      policy,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    });
    const before = lab.calls();
    const t0 = performance.now();
    const out = await h.run('a');
    const ms = performance.now() - t0;
    const ok = out.kind === 'ok' && out.value.outcome === 'committed';
    if (!ok)
      console.error(out.kind === 'ok' ? JSON.stringify(out.value.failed.slice(0, 2)) : JSON.stringify(out));
    return { ms, calls: lab.calls() - before, throttled: lab.throttled(), ok };
  } finally {
    await lab.close();
  }
}

const cases: Array<[string, LabMaker, number, FailoverPolicy['rate']]> = [
  ['aws route (v4+v6)', awsRoutes, 100, CLIENT_RATE.aws],
  ['aws elastic-ip', awsEips, 25, CLIENT_RATE.aws],
  ['azure route', azureRoutes, 100, CLIENT_RATE.azure],
  ['gcp route', gcpRoutes, 100, CLIENT_RATE.gcp],
];

const pad = (s: string | number, w: number): string => String(s).padStart(w);
console.log(
  `cloud failover, ${LATENCY_MS} ms API latency, throttling as token buckets, describes one read stale`,
);
console.log(
  `${'case'.padEnd(20)} ${pad('n', 4)} | ${pad('ms', 7)} ${pad('calls', 6)} ${pad('/res', 5)} ${pad('thr', 4)} | ${pad('seq ms', 8)} ${pad('calls', 6)} | ${pad('speed-up', 8)}`,
);
let failed = false;
for (const [label, make, baselineUpTo, rate] of cases.filter(([l]) => !only || l.includes(only)))
  for (const n of SIZES) {
    const par = await failover(make, n, false, rate);
    const seq = n <= (quick ? 25 : baselineUpTo) ? await failover(make, n, true, rate) : null;
    failed ||= !par.ok || (seq !== null && !seq.ok);
    console.log(
      `${label.padEnd(20)} ${pad(n, 4)} | ${pad(par.ms.toFixed(0), 7)} ${pad(par.calls, 6)} ${pad((par.calls / n).toFixed(2), 5)} ${pad(par.throttled, 4)} | ${pad(seq ? seq.ms.toFixed(0) : '-', 8)} ${pad(seq ? seq.calls : '-', 6)} | ${pad(seq ? `${(seq.ms / par.ms).toFixed(1)}x` : '-', 8)}${par.ok ? '' : '  FAILED'}`,
    );
  }
console.log(
  'ms = decision to verified (observe, plan, write, read back); calls = requests the emulator received;',
);
console.log(
  '/res = calls per resource (bar: read + write + verify = 3); thr = requests refused as throttled;',
);
console.log(
  'seq = the same failover one resource and one call at a time (notify-script style), same process.',
);
process.exitCode = failed ? 1 : 0;
