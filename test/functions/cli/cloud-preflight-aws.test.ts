/**
 * `floatip cloud preflight` and `cloud inspect` against the EC2 emulator (the real @aws-sdk/client-ec2
 * over HTTP): missing permissions and missing resources are named, the exit code says which, and
 * nothing changes (the emulator's whole state is the same before and after, and every request it got was
 * a Describe or carried DryRun=true).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Ec2Emulator } from '../../emulators/ec2.ts';
import { awsCli, awsCliLab, awsTestSecret } from '../../helpers/aws-cli-lab.ts';

interface Finding {
  resource: string;
  check: string;
  status: string;
  subject: string;
  detail: string;
}

const snapshot = (e: Ec2Emulator): string =>
  JSON.stringify({
    enis: [...e.state.enis.values()],
    addresses: [...e.state.addresses.values()],
    tables: [...e.state.tables.values()],
  });

/** The lab as pre-flight wants it: the route on eni-a, eni-b still checking source/destination. */
const lab = (t: { after(fn: () => Promise<void> | void): void }, routeTableIds: string[]) =>
  awsCliLab(t, { eniBSourceDestCheck: true, routeVia: 'eni-a', routeTableIds, disableSourceDestCheck: true });

const onlyReadsAndDryRuns = (e: Ec2Emulator): void => {
  for (const r of e.requests)
    assert.ok(
      r.action.startsWith('Describe') || r.params['DryRun'] === 'true',
      `${r.action} was sent without DryRun`,
    );
};

test('preflight names a missing permission and a missing route table, exits 3, and changes nothing', async (t) => {
  const { ec2, file } = await lab(t, ['rtb-1', 'rtb-gone']);
  ec2.denied.add('ReplaceRoute');
  const before = snapshot(ec2);
  const r = await awsCli(['cloud', 'preflight', '--config', file, '--json']);
  assert.equal(r.code, 3, r.out + r.err);
  const report = JSON.parse(r.out) as { verdict: string; exitCode: number; findings: Finding[] };
  assert.equal(report.verdict, 'resource');
  const bad = report.findings.filter((f) => f.status !== 'ok');
  assert.ok(
    bad.some(
      (f) =>
        f.status === 'missing-permission' &&
        f.resource === 'vip-route' &&
        /^ec2:ReplaceRoute on rtb-1 \(10\.9\.9\.9\/32 -> eni-(a|b)\)$/.test(f.subject),
    ),
    JSON.stringify(bad, null, 1),
  );
  assert.ok(
    bad.some((f) => f.status === 'missing-resource' && f.subject === 'route table rtb-gone'),
    JSON.stringify(bad, null, 1),
  );
  // The acquire would turn eni-b's source/dest check off: a warning, and its permission is dry-run.
  assert.ok(bad.some((f) => f.status === 'warning' && /source\/dest check of eni-b/.test(f.subject)));
  assert.ok(
    report.findings.some(
      (f) => f.status === 'ok' && f.subject.startsWith('ec2:ModifyNetworkInterfaceAttribute on eni-b'),
    ),
  );
  assert.ok(report.findings.some((f) => f.status === 'ok' && f.subject.startsWith('ec2:AssociateAddress')));
  assert.equal(snapshot(ec2), before, 'the pre-flight changed the emulator state');
  onlyReadsAndDryRuns(ec2);
  assert.ok(
    ec2.requests.some((q) => q.params['DryRun'] === 'true'),
    'dry runs were sent',
  );
  assert.ok(!(r.out + r.err).includes(awsTestSecret), 'the secret key is never printed');
});

test('preflight exits 2 when only a permission is missing, 0 when everything is proven', async (t) => {
  const { ec2, file } = await lab(t, ['rtb-1']);
  ec2.denied.add('AssociateAddress');
  const denied = await awsCli(['cloud', 'preflight', '--config', file]);
  assert.equal(denied.code, 2, denied.out + denied.err);
  assert.match(denied.out, /FAILED: a permission is missing/);
  assert.match(
    denied.out,
    /missing-permission\s+ec2:AssociateAddress on eipalloc-1 -> eni-a: UnauthorizedOperation/,
  );
  ec2.denied.clear();
  const good = await awsCli(['cloud', 'preflight', '--config', file]);
  assert.equal(good.code, 0, good.out + good.err);
  assert.match(good.out, /pre-flight of group web: OK/);
  onlyReadsAndDryRuns(ec2);
});

test('preflight exits 4 when the API does not answer', async (t) => {
  const { ec2, file } = await lab(t, ['rtb-1']);
  await ec2.close();
  const r = await awsCli(['cloud', 'preflight', '--config', file, '--json']);
  assert.equal(r.code, 4, r.out + r.err);
  const report = JSON.parse(r.out) as { findings: Finding[] };
  assert.ok(report.findings.every((f) => f.status !== 'ok'));
  assert.ok(report.findings.some((f) => f.status === 'unreachable'));
});

test('inspect warns about a route target whose source/dest check is on, per resource', async (t) => {
  const { ec2, file } = await lab(t, ['rtb-1', 'rtb-gone']);
  // The elastic IP is on an interface outside the group: inspect says `foreign`, not `unheld`.
  ec2.state.addEni({ id: 'eni-x', privateIps: ['10.0.1.99'] });
  Object.assign(ec2.state.addresses.get('eipalloc-1') ?? {}, {
    associationId: 'eipassoc-x',
    eniId: 'eni-x',
    privateIp: '10.0.1.99',
  });
  const before = snapshot(ec2);
  const r = await awsCli(['cloud', 'inspect', '--config', file, '--json']);
  const seen = JSON.parse(r.out) as {
    resources: Array<{ resource: string; state: string; holder: string | null; warnings: string[] }>;
  };
  const route = seen.resources.find((x) => x.resource === 'vip-route');
  assert.ok(route);
  assert.ok(
    route.warnings.some((w) => /source\/dest check of eni-b \(member lb-2\): on/.test(w)),
    route.warnings.join('\n'),
  );
  assert.ok(
    route.warnings.some((w) => /route table rtb-gone: .*NotFound/.test(w)),
    route.warnings.join('\n'),
  );
  const eip = seen.resources.find((x) => x.resource === 'web-eip');
  assert.deepEqual(
    [eip?.state, eip?.holder, eip?.warnings],
    [
      'foreign',
      null,
      ['elastic IP eipalloc-1: associated with eni-x, not a member: a failover takes it only with --force'],
    ],
  );
  const text = await awsCli(['cloud', 'inspect', '--config', file]);
  assert.match(text.out, /warning: source\/dest check of eni-b \(member lb-2\): on/);
  assert.equal(snapshot(ec2), before);
  assert.ok(
    ec2.requests.every((q) => q.action.startsWith('Describe')),
    'inspect only reads',
  );
});

test('cloud --help lists preflight and its exit codes', async () => {
  const r = await awsCli(['cloud', '--help']);
  const text = r.out + r.err;
  assert.match(text, /floatip cloud preflight --config FILE \[--json\]/);
  for (const line of [
    /0 all proven/,
    /2 a permission is missing/,
    /3 a resource is missing or does not match/,
    /4 an API did not answer/,
  ])
    assert.match(text, line);
});

test('a member whose interface lacks its configured private IP is a mismatch, named', async (t) => {
  const { ec2, file } = await lab(t, ['rtb-1']);
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'lb-1: { aws: { networkInterfaceId: eni-a } }',
      'lb-1: { aws: { networkInterfaceId: eni-a, privateIp: 10.0.1.99 } }',
    ),
  );
  const r = await awsCli(['cloud', 'preflight', '--config', file, '--json']);
  assert.equal(r.code, 3, r.out + r.err);
  const { findings } = JSON.parse(r.out) as { findings: Finding[] };
  assert.ok(
    findings.some(
      (f) =>
        f.status === 'mismatch' &&
        f.subject === 'network interface eni-a (member lb-1)' &&
        /has no private IP 10\.0\.1\.99 \(it has 10\.0\.1\.10\)/.test(f.detail),
    ),
    r.out,
  );
  onlyReadsAndDryRuns(ec2);
});
