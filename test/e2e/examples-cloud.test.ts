/**
 * The cloud examples (examples/cloud-*.yaml) as an operator meets them: `floatip check-config` accepts
 * each one, and, pointed at the emulators seeded with exactly the IDs the example names, `floatip cloud
 * inspect` explains every resource (state, holder, no warning) and `floatip cloud preflight` proves the
 * failover allowed and landing (exit 0), through the real SDKs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { startArmEmulator } from '../emulators/arm.ts';
import { startEc2Emulator } from '../emulators/ec2.ts';
import { startGceEmulator } from '../emulators/gce.ts';
import { startRoute53Emulator } from '../emulators/route53.ts';
import { loopbackCertificate } from '../emulators/tls.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

const dir = join(import.meta.dirname, '../../examples');
const examples = readdirSync(dir).filter((f) => /^cloud-.*\.yaml$/.test(f));

const env: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'example-secret',
  FIP_AZ_TOKEN: 'example-az-token',
  FIP_GCP_TOKEN: 'example-gcp-token',
};

const cli = (args: string[]): Promise<CliRun> => runCli(args, env);

type Settings = Record<string, unknown>;
interface Section {
  providers: Record<string, Settings>;
  members: Record<string, Record<string, Settings>>;
  resources: Array<{ id: string; provider: string; kind: string; spec: Settings }>;
  policy?: unknown;
  arbiter?: unknown;
}

/** The example with its providers pointed at emulators seeded with the example's own IDs. */
async function onEmulators(t: TestContext, file: string): Promise<string> {
  const doc = parse(readFileSync(join(dir, file), 'utf8')) as { cloud: Section };
  const c = doc.cloud;
  const work = mkdtempSync(join(tmpdir(), 'fip-example-'));
  const closers: Array<() => Promise<void>> = [];
  t.after(async () => {
    await Promise.all(closers.map((f) => f()));
    rmSync(work, { recursive: true, force: true });
  });
  const typeOf = (name: string): string => String(c.providers[name]?.['type'] ?? name);
  const membersOf = (name: string) =>
    Object.entries(c.members).flatMap(([id, m]) => (m[name] ? [{ id, s: m[name] as Settings }] : []));
  const resourcesOf = (name: string) => c.resources.filter((r) => r.provider === name);
  for (const name of Object.keys(c.providers)) {
    const type = typeOf(name);
    if (type === 'aws') {
      const ec2 = await startEc2Emulator();
      closers.push(() => ec2.close());
      for (const [i, m] of membersOf(name).entries())
        ec2.state.addEni({
          id: String(m.s['networkInterfaceId']),
          privateIps: [String(m.s['privateIp'] ?? `10.0.${i + 1}.10`)],
          sourceDestCheck: false,
        });
      for (const r of resourcesOf(name)) {
        if (r.kind === 'elastic-ip')
          ec2.state.addAddress({ allocationId: String(r.spec['allocationId']), publicIp: '198.51.100.50' });
        if (r.kind === 'route')
          for (const id of r.spec['routeTableIds'] as string[])
            if (!ec2.state.tables.has(id)) ec2.state.addTable({ id });
      }
      c.providers[name] = { ...c.providers[name], endpoint: ec2.url };
    } else if (type === 'azure') {
      const cert = loopbackCertificate();
      const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, tls: cert });
      closers.push(() => arm.close());
      const caFile = join(work, `${name}-ca.pem`);
      writeFileSync(caFile, cert.cert);
      for (const m of membersOf(name)) {
        const nic = m.s['networkInterface'] as { resourceGroup: string; name: string } | undefined;
        if (nic)
          arm.addNic(nic.resourceGroup, nic.name, [
            {
              name: 'ipconfig1',
              privateIPAddress: String(m.s['privateIp']),
              privateIPAllocationMethod: 'Static',
              primary: true,
              subnet: {
                id: `/subscriptions/${String(c.providers[name]?.['subscriptionId'])}/resourceGroups/${nic.resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
              },
            },
          ]);
      }
      for (const r of resourcesOf(name))
        if (r.kind === 'route')
          for (const tb of r.spec['routeTables'] as Array<{ resourceGroup: string; name: string }>)
            arm.addTable(tb.resourceGroup, tb.name, []);
      c.providers[name] = { ...c.providers[name], endpoint: arm.url, caFile, tokenEnv: 'FIP_AZ_TOKEN' };
    } else if (type === 'gcp') {
      const gce = await startGceEmulator({ opPolls: 1, project: String(c.providers[name]?.['project']) });
      closers.push(() => gce.close());
      for (const [i, m] of membersOf(name).entries())
        gce.addInstance(String(m.s['zone']), String(m.s['instance']), `10.2.0.${i + 4}`).canIpForward = true;
      c.providers[name] = { ...c.providers[name], endpoint: gce.url, tokenEnv: 'FIP_GCP_TOKEN' };
    } else if (type === 'dns') {
      const zones = [...new Set(resourcesOf(name).map((r) => String(r.spec['hostedZoneId'])))];
      const r53 = await startRoute53Emulator({ changePolls: 1, zones });
      closers.push(() => r53.close());
      c.providers[name] = { ...c.providers[name], endpoint: r53.url };
    } else assert.fail(`${file}: no emulator for provider ${name} (${type})`);
  }
  c.policy = { call: { baseMs: 1, capMs: 5 }, verify: { baseMs: 1, capMs: 5 } };
  const out = join(work, file);
  writeFileSync(out, stringify(doc));
  return out;
}

test('floatip check-config accepts every cloud example', async () => {
  assert.ok(examples.length >= 5, examples.join(', '));
  for (const f of examples) {
    const r = await cli(['check-config', join(dir, f)]);
    assert.equal(r.code, 0, `${f}:\n${r.out}${r.err}`);
  }
});

for (const f of examples)
  test(`${f}: cloud inspect explains every resource and cloud preflight proves it, on the emulators`, async (t) => {
    const file = await onEmulators(t, f);
    const section = (parse(readFileSync(file, 'utf8')) as { cloud: Section }).cloud;
    const seen = await cli(['cloud', 'inspect', '--config', file, '--json']);
    assert.equal(seen.code, 0, seen.out + seen.err);
    const inspected = JSON.parse(seen.out) as {
      resources: Array<{ resource: string; state: string; warnings: string[] }>;
    };
    assert.deepEqual(
      inspected.resources.map((r) => [r.resource, r.state, r.warnings]),
      section.resources.map((r) => [r.id, 'unheld', []]),
    );
    const pre = await cli(['cloud', 'preflight', '--config', file]);
    assert.equal(pre.code, 0, pre.out + pre.err);
    assert.match(pre.out, /: OK: every failover of the group would be allowed and would land/);
    for (const r of section.resources) assert.match(pre.out, new RegExp(`^  ${r.id} `, 'm'));
  });
