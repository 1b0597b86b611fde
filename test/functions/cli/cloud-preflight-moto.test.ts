// @needs moto
/**
 * `floatip cloud preflight` against moto, a peer we did not write: moto_server runs with IAM access
 * control on (INITIAL_NO_AUTH_ACTION_COUNT), floatip calls it as an IAM user holding infra/aws's policy
 * minus one action, and the pre-flight must name that action and a missing route table, and change
 * nothing (every EC2 object moto has is the same before and after).
 *
 * Where moto differs from AWS (test/emulators/README.md, "Pre-flight"): it answers a denied action with
 * AccessDenied (AWS: UnauthorizedOperation), ignores policy Conditions, and does not implement DryRun on
 * CreateRoute / ReplaceRoute / DeleteRoute (it would apply them). So this lab's route names only a table
 * that does not exist: moto refuses those calls before any write, and the test checks that nothing changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AllocateAddressCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { runCli, type CliRun } from '../../helpers/cli.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

/** IAM set-up calls this test makes before moto starts checking credentials. */
const UNAUTHENTICATED = 6;

interface Moto {
  url: string;
  proc: ChildProcess;
}

/** Starts moto_server on a free loopback port (with IAM access control on after the first calls). */
async function startMoto(
  t: { after(fn: () => Promise<void> | void): void },
  iamChecks = true,
): Promise<Moto> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['INITIAL_NO_AUTH_ACTION_COUNT'];
  if (iamChecks) env['INITIAL_NO_AUTH_ACTION_COUNT'] = String(UNAUTHENTICATED);
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      // The dashboard is not an AWS action: it does not count against INITIAL_NO_AUTH_ACTION_COUNT.
      if ((await fetch(`${url}/moto-api/`)).ok) return { url, proc };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`moto_server did not answer on ${url}: ${stderr}`);
}

/** One IAM query call while moto does not check credentials yet (it routes on the credential scope). */
async function iam(url: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
  });
  const text = await res.text();
  assert.ok(res.ok, `IAM ${params['Action']}: ${res.status} ${text}`);
  return text;
}

/** Creates an IAM user with `policy` and returns its access key. */
async function user(url: string, name: string, policy: unknown) {
  await iam(url, { Action: 'CreateUser', UserName: name });
  await iam(url, {
    Action: 'PutUserPolicy',
    UserName: name,
    PolicyName: `${name}-policy`,
    PolicyDocument: JSON.stringify(policy),
  });
  const xml = await iam(url, { Action: 'CreateAccessKey', UserName: name });
  const id = /<AccessKeyId>([^<]+)</.exec(xml)?.[1];
  const secret = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
  assert.ok(id && secret, xml);
  return { accessKeyId: id, secretAccessKey: secret };
}

const cli = (args: string[], creds: { accessKeyId: string; secretAccessKey: string }): Promise<CliRun> =>
  runCli(args, { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey });

interface Finding {
  resource: string;
  status: string;
  subject: string;
  detail: string;
}

test('preflight against moto names a missing permission and a missing table, and changes nothing', async (t) => {
  const moto = await startMoto(t);
  const admin = await user(moto.url, 'admin', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  // floatip's least-privilege policy (infra/aws/iam-policy.json) without ec2:AssociateAddress.
  const policy = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../infra/aws/iam-policy.json'), 'utf8'),
  ) as { Statement: Array<{ Action: string[] }> };
  for (const s of policy.Statement) s.Action = s.Action.filter((a) => a !== 'ec2:AssociateAddress');
  // moto matches a statement's Resource against "*" for these services (it does not know the call's
  // ARN), so ARN-scoped statements never apply there: widen the Route 53 one for moto only.
  for (const s of policy.Statement as Array<{ Action: string[]; Resource: unknown }>)
    if (s.Action.some((a) => a.startsWith('route53:'))) s.Resource = '*';
  const floatip = await user(moto.url, 'floatip', policy);

  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.url, credentials: admin, maxAttempts: 1 });
  t.after(() => ec2.destroy());
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnet =
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet?.SubnetId ??
    '';
  const eni = async (ip: string) =>
    (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, PrivateIpAddress: ip })))
      .NetworkInterface?.NetworkInterfaceId ?? '';
  const [eniA, eniB] = [await eni('10.0.1.10'), await eni('10.0.1.20')];
  await ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: eniA,
      SourceDestCheck: { Value: false },
    }),
  );
  const alloc = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId ?? '';
  const r53 = new Route53Client({
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: admin,
    maxAttempts: 1,
  });
  t.after(() => r53.destroy());
  const zone =
    (
      await r53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'fip-preflight' }))
    ).HostedZone?.Id?.replace('/hostedzone/', '') ?? '';
  const state = async (): Promise<string> =>
    JSON.stringify([
      (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets,
      (await ec2.send(new DescribeAddressesCommand({}))).Addresses,
      (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces,
      (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables,
    ]);

  const dir = mkdtempSync(join(tmpdir(), 'fip-preflight-moto-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'floatip.yaml');
  writeFileSync(
    file,
    [
      'cloud:',
      '  group: web',
      '  providers:',
      `    aws: { type: aws, region: us-east-1, endpoint: "${moto.url}" }`,
      `    r53: { type: dns, endpoint: "${moto.url}" }`,
      '  members:',
      `    lb-1: { aws: { networkInterfaceId: ${eniA} }, r53: { address: 203.0.113.10 } }`,
      `    lb-2: { aws: { networkInterfaceId: ${eniB} }, r53: { address: 203.0.113.20 } }`,
      '  resources:',
      `    - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: ${alloc} } }`,
      '    - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [rtb-0123456789abcdef0], destination: 10.9.9.9/32, disableSourceDestCheck: true } }',
      `    - { id: web-record, provider: r53, kind: record, spec: { hostedZoneId: ${zone}, name: web.example.com, type: A } }`,
      '    - { id: lost-record, provider: r53, kind: record, spec: { hostedZoneId: Z0000000000000NOTHERE, name: web.example.org, type: A } }',
      '',
    ].join('\n'),
  );

  const before = await state();
  const r = await cli(['cloud', 'preflight', '--config', file, '--json'], floatip);
  assert.equal(r.code, 3, r.out + r.err);
  const report = JSON.parse(r.out) as { findings: Finding[] };
  const bad = report.findings.filter((f) => f.status !== 'ok');
  const show = JSON.stringify(report.findings, null, 1);
  assert.ok(
    bad.some(
      (f) =>
        f.status === 'missing-permission' &&
        f.subject === `ec2:AssociateAddress on ${alloc} -> ${eniA}` &&
        /AccessDenied/.test(f.detail),
    ),
    show,
  );
  assert.ok(
    bad.some((f) => f.status === 'missing-resource' && f.subject === 'route table rtb-0123456789abcdef0'),
    show,
  );
  // What the policy allows, moto's DryRun proves allowed: the source/dest check change on lb-2.
  assert.ok(
    report.findings.some(
      (f) => f.status === 'ok' && f.subject.startsWith(`ec2:ModifyNetworkInterfaceAttribute on ${eniB}`),
    ),
    show,
  );
  // Route 53: the zone's read is proven, the write honestly not; a zone that does not exist is named.
  assert.ok(
    report.findings.some(
      (f) => f.status === 'ok' && f.subject === `route53:ListResourceRecordSets on ${zone}`,
    ),
    show,
  );
  assert.ok(
    report.findings.some(
      (f) => f.status === 'ok' && f.subject === `hosted zone ${zone}` && /example\.com\./.test(f.detail),
    ),
    show,
  );
  assert.ok(
    report.findings.some(
      (f) => f.status === 'unproven' && f.subject === `route53:ChangeResourceRecordSets on ${zone}`,
    ),
    show,
  );
  assert.ok(
    bad.some((f) => f.status === 'missing-resource' && f.subject === 'hosted zone Z0000000000000NOTHERE'),
    show,
  );
  assert.equal(await state(), before, 'the pre-flight changed something in moto');
  assert.doesNotMatch(r.out + r.err, new RegExp(floatip.secretAccessKey.replace(/[^A-Za-z0-9]/g, '.')));
});

test('an endpoint that applies a dry run (moto on ReplaceRoute) is reported, not taken for a proof', async (t) => {
  const moto = await startMoto(t, false);
  const creds = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: moto.url, credentials: creds, maxAttempts: 1 });
  t.after(() => ec2.destroy());
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
  const subnet =
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet?.SubnetId ??
    '';
  const eni =
    (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, PrivateIpAddress: '10.0.1.10' })))
      .NetworkInterface?.NetworkInterfaceId ?? '';
  await ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({
      NetworkInterfaceId: eni,
      SourceDestCheck: { Value: false },
    }),
  );
  const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable?.RouteTableId ?? '';
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: table,
      DestinationCidrBlock: '10.9.9.9/32',
      NetworkInterfaceId: eni,
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'fip-preflight-moto-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'floatip.yaml');
  writeFileSync(
    file,
    [
      'cloud:',
      '  group: web',
      '  providers:',
      `    aws: { type: aws, region: us-east-1, endpoint: "${moto.url}" }`,
      '  members:',
      `    lb-1: { aws: { networkInterfaceId: ${eni} } }`,
      '  resources:',
      `    - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [${table}], destination: 10.9.9.9/32 } }`,
      '',
    ].join('\n'),
  );
  const r = await cli(['cloud', 'preflight', '--config', file, '--json'], creds);
  assert.equal(r.code, 3, r.out + r.err);
  const { findings } = JSON.parse(r.out) as { findings: Finding[] };
  const on = (action: string) => findings.find((f) => f.subject.startsWith(`ec2:${action} on ${table}`));
  assert.deepEqual(
    [on('ReplaceRoute')?.status, on('ReplaceRoute')?.detail],
    ['mismatch', 'the endpoint applied the call: it ignored DryRun'],
    r.out,
  );
  // After one applied dry run no other write goes to that endpoint: the route is still there.
  assert.deepEqual(
    [on('DeleteRoute')?.status, on('DeleteRoute')?.detail],
    ['unproven', 'not sent: this endpoint applied an earlier dry run'],
    r.out,
  );
  const after = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }))).RouteTables?.[0];
  assert.equal(after?.Routes?.find((x) => x.DestinationCidrBlock === '10.9.9.9/32')?.NetworkInterfaceId, eni);
});
