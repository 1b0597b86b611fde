/**
 * Least privilege, checked offline: the API calls each cloud adapter makes (found in its source) must be
 * exactly what infra/ grants — every call allowed, nothing extra. A new SDK call without a policy line
 * (or a stale policy line) fails here with its name.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): { file: string; text: string }[] {
  const abs = join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return sources(join(dir, name));
    return name.endsWith('.ts') ? [{ file: join(dir, name), text: readFileSync(p, 'utf8') }] : [];
  });
}

const sorted = (s: Iterable<string>): string[] => [...new Set(s)].sort();

test('AWS: the IAM policy allows exactly the EC2 and Route 53 calls the adapters make', () => {
  const used = new Set<string>();
  for (const { file, text } of [...sources('adapters/aws'), ...sources('adapters/dns')]) {
    for (const m of text.matchAll(/new (\w+)Command\(/g)) {
      const name = m[1] ?? '';
      const from = new RegExp(`\\b${name}Command\\b[^;]*?from '@aws-sdk/client-([a-z0-9-]+)'`, 's').exec(
        text,
      );
      assert.ok(from, `${file}: cannot tell which SDK client ${name}Command comes from`);
      const service = { ec2: 'ec2', 'route-53': 'route53' }[from[1] ?? ''];
      assert.ok(service, `${file}: no IAM prefix known for @aws-sdk/client-${from[1]}`);
      used.add(`${service}:${name}`);
    }
  }
  assert.ok(used.size > 0, 'found no SDK calls in adapters/aws: did the scan break?');
  const policy = JSON.parse(readFileSync(join(root, 'infra/aws/iam-policy.json'), 'utf8')) as {
    Statement: { Effect: string; Action: string | string[] }[];
  };
  const granted = policy.Statement.flatMap((s) => {
    assert.equal(s.Effect, 'Allow');
    return Array.isArray(s.Action) ? s.Action : [s.Action];
  });
  assert.ok(!granted.some((a) => a.includes('*')), 'no wildcard actions');
  assert.deepEqual(sorted(granted), sorted(used));
});

/** Azure SDK method → the RBAC actions it needs (a NIC update joins its subnet and any public IP). */
const azureActions: Record<string, string[]> = {
  'routes.get': ['Microsoft.Network/routeTables/routes/read'],
  'routeTables.get': ['Microsoft.Network/routeTables/read'],
  'routes.beginCreateOrUpdateAndWait': ['Microsoft.Network/routeTables/routes/write'],
  'routes.beginDeleteAndWait': ['Microsoft.Network/routeTables/routes/delete'],
  'networkInterfaces.get': ['Microsoft.Network/networkInterfaces/read'],
  'networkInterfaces.beginCreateOrUpdateAndWait': [
    'Microsoft.Network/networkInterfaces/write',
    'Microsoft.Network/virtualNetworks/subnets/join/action',
    'Microsoft.Network/publicIPAddresses/join/action',
  ],
};

test('Azure: the custom role grants exactly the actions of the SDK calls the adapter makes', () => {
  const needed = new Set<string>();
  for (const { file, text } of sources('adapters/azure'))
    for (const m of text.matchAll(/\bclient\.(\w+)\.(\w+)\(/g)) {
      const call = `${m[1]}.${m[2]}`;
      const actions = azureActions[call];
      assert.ok(
        actions,
        `${file}: ${call} has no RBAC mapping (add it here and to infra/azure/role-definition.json)`,
      );
      for (const a of actions) needed.add(a);
    }
  assert.ok(needed.size > 0, 'found no SDK calls in adapters/azure');
  const role = JSON.parse(readFileSync(join(root, 'infra/azure/role-definition.json'), 'utf8')) as {
    Actions: string[];
    DataActions: string[];
  };
  assert.deepEqual(role.DataActions, []);
  assert.deepEqual(sorted(role.Actions), sorted(needed));
});

/** Compute client method → IAM permissions (routes.insert also needs the network's updatePolicy). */
const gcpPermissions: Record<string, string[]> = {
  'instances.get': ['compute.instances.get'],
  'instances.updateNetworkInterface': ['compute.instances.updateNetworkInterface'],
  'instances.addAccessConfig': [
    'compute.instances.addAccessConfig',
    'compute.addresses.use',
    'compute.subnetworks.useExternalIp',
  ],
  'instances.deleteAccessConfig': ['compute.instances.deleteAccessConfig'],
  'routes.get': ['compute.routes.get'],
  'routes.list': ['compute.routes.list'],
  'routes.insert': ['compute.routes.create', 'compute.networks.updatePolicy'],
  'routes.delete': ['compute.routes.delete'],
  'zoneOperations.wait': ['compute.zoneOperations.get'],
  'globalOperations.wait': ['compute.globalOperations.get'],
};

test('GCP: the custom role includes exactly the permissions of the Compute calls the adapter makes', () => {
  const needed = new Set<string>();
  for (const { file, text } of sources('adapters/gcp'))
    // SDK calls, and calls the adapter sends beside the SDK under the operation's name (patchJson)
    for (const m of [
      ...text.matchAll(/clients\.(\w+)\.(\w+)\(/g),
      ...text.matchAll(/mutateAndWait\(\s*ctx,\s*log,\s*'(\w+)\.(\w+)'/g),
    ]) {
      if (m[2] === 'close') continue; // closing a client's channel calls no API
      const call = `${m[1]}.${m[2]}`;
      const perms = gcpPermissions[call];
      assert.ok(perms, `${file}: ${call} has no IAM mapping (add it here and to infra/gcp/custom-role.yaml)`);
      for (const p of perms) needed.add(p);
    }
  assert.ok(needed.size > 0, 'found no Compute calls in adapters/gcp');
  const role = parse(readFileSync(join(root, 'infra/gcp/custom-role.yaml'), 'utf8')) as {
    includedPermissions: string[];
  };
  assert.deepEqual(sorted(role.includedPermissions), sorted(needed));
});

test('systemd units run floatip commands that exist, with the capabilities they need and no more', async () => {
  const { commands } = await import('../../functions/cli/commands/index.ts');
  const names = new Set(commands.map((c) => c.name));
  for (const unit of ['floatip-agent.service', 'floatip-serve.service', 'floatip-worker.service']) {
    const text = readFileSync(join(root, 'infra/onprem', unit), 'utf8');
    const exec = /^ExecStart=\/usr\/bin\/floatip (\S+)/m.exec(text);
    assert.ok(exec?.[1] && names.has(exec[1]), `${unit}: ExecStart runs unknown command ${exec?.[1]}`);
    assert.match(text, /^NoNewPrivileges=yes$/m, `${unit}: NoNewPrivileges`);
    const caps = /^CapabilityBoundingSet=(.*)$/m.exec(text)?.[1]?.trim() ?? '';
    if (unit === 'floatip-agent.service') assert.match(caps, /CAP_NET_ADMIN/);
    else assert.equal(caps, '', `${unit}: the control plane needs no capabilities`);
  }
});
