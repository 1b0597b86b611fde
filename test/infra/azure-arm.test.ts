/**
 * infra/azure/function-app.json, validated offline: the structural lint of ./arm-lint.ts (grammar,
 * expressions, references), then what floatip relies on: Flex Consumption, VNet integration, Node.js 22,
 * a system-assigned identity holding exactly the custom role of role-definition.json, secrets as Key
 * Vault references only. The lint is shown to reject a broken template, so it can fail.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lintArmTemplate } from './arm-lint.ts';
import { shippedConfigName } from '../../scripts/functions/build.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (f: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(root, f), 'utf8')) as Record<string, unknown>;
/** Template properties, read loosely (the test names the paths it relies on). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- nested ARM property bags of many shapes
type Props = Record<string, any>;
type Res = {
  type: string;
  name: string;
  kind?: string;
  sku?: { name: string; tier: string };
  identity?: { type: string };
  properties: Props;
};

test('Azure ARM template: structurally valid, and the Function App it makes is the one floatip needs', () => {
  const template = read('infra/azure/function-app.json');
  assert.deepEqual(lintArmTemplate(template as never), []);
  const resources = template.resources as Res[];
  const byType = (type: string): Res[] => resources.filter((r) => r.type === type);

  const [plan] = byType('Microsoft.Web/serverfarms');
  assert.deepEqual(plan?.sku, { name: 'FC1', tier: 'FlexConsumption' });
  const [site] = byType('Microsoft.Web/sites');
  assert.equal(site?.identity?.type, 'SystemAssigned');
  assert.match(site?.kind ?? '', /functionapp/);
  assert.equal(site?.properties.virtualNetworkSubnetId, "[parameters('subnetId')]");
  assert.deepEqual(site?.properties.functionAppConfig.runtime, { name: 'node', version: '22' });
  const settings = site?.properties.siteConfig.appSettings as { name: string; value: string }[];
  assert.equal(
    settings.find((s) => s.name === 'FLOATIP_CONFIG')?.value,
    `/home/site/wwwroot/${shippedConfigName}`,
  );
  const variables = template.variables as Record<string, string>;
  const expand = (v: string): string =>
    v.replace(/variables\('([^']+)'\)/g, (_m, n: string) => `'${variables[n] ?? ''}'`);
  for (const s of settings.filter((x) => /PASSWORD|TOKEN|SECRET|REDIS_URL/.test(x.name)))
    assert.match(
      expand(s.value),
      /@Microsoft\.KeyVault\(VaultName=.*;SecretName=/,
      `${s.name} must be a Key Vault reference`,
    );

  // The custom role is role-definition.json's action list, assigned to the app's identity.
  const role = read('infra/azure/role-definition.json') as { Actions: string[]; DataActions: string[] };
  const [def] = byType('Microsoft.Authorization/roleDefinitions');
  const perms = def?.properties.permissions[0] as { actions: string[]; dataActions: string[] };
  assert.deepEqual([...perms.actions].sort(), [...role.Actions].sort());
  assert.deepEqual(perms.dataActions, role.DataActions);
  assert.ok(!perms.actions.some((a) => a.includes('*')), 'no wildcard action');
  const assignment = byType('Microsoft.Authorization/roleAssignments').find((a) =>
    String(a.properties.roleDefinitionId).includes(
      "resourceId('Microsoft.Authorization/roleDefinitions',variables('roleName'))",
    ),
  );
  assert.match(
    String(assignment?.properties.principalId),
    /reference\(resourceId\('Microsoft.Web\/sites',parameters\('appName'\)\).*identity\.principalId/,
  );
});

test('the ARM lint rejects broken templates (an undeclared parameter, an unknown function, a dangling dependsOn)', () => {
  const template = read('infra/azure/function-app.json');
  const broken = JSON.parse(
    JSON.stringify(template)
      .replace("[parameters('subnetId')]", "[parameters('subnetID')]")
      .replace('[toLower(', '[toLowr('),
  ) as { resources: { dependsOn?: string[] }[] };
  broken.resources[1]?.dependsOn?.push("[resourceId('Microsoft.Network/virtualNetworks','v')]");
  const problems = lintArmTemplate(broken as never).join('\n');
  assert.match(problems, /undeclared parameter subnetID/);
  assert.match(problems, /parameters\.subnetId: never used/);
  assert.match(problems, /unknown function toLowr\(\)/);
  assert.match(problems, /dependsOn: .*virtualNetworks.* is no resource of this template/);
});
