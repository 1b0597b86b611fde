/**
 * Pre-flight of the Azure kinds (`floatip cloud preflight`): reads the route tables and member NICs the
 * config names (they exist, carry the member's address, forward IP where routes point at them) and asks
 * Azure's permissions API, for each resource's own scope, what the caller may do there
 * (`GET {scope}/providers/Microsoft.Authorization/permissions`). An action is allowed when one returned
 * permission lists it in `actions` (wildcards `*` allowed, case-insensitive) and not in that same
 * permission's `notActions`, as Azure RBAC combines role assignments. The actions are those of
 * infra/azure/role-definition.json.
 */
import type { TokenCredential } from '@azure/core-auth';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import type { NetworkInterface, NetworkManagementClient } from '@azure/arm-network';
import { answerOf, findingsOf, membersOf, type PreflightAnswer } from '../../core/app/preflight.ts';
import type { Holder, PreflightFinding, PreflightOptions, VipResource } from '../../core/ports/index.ts';
import type { Sleep } from '../../core/failover/index.ts';
import { createNetworkClient } from './client.ts';
import { classifyAzureError } from './errors.ts';
import {
  azureHolderSpec,
  parseSpec,
  publicIpSpec,
  routeSpec,
  secondaryIpSpec,
  type AzureHolderSpec,
} from './specs.ts';

export interface AzurePreflightOptions {
  subscriptionId: string;
  credential: TokenCredential;
  endpoint?: string;
  ca?: string;
  sleep: Sleep;
}

type Status = PreflightFinding['status'];
type Answer<T> = PreflightAnswer<T>;

/** One entry of the permissions API's answer. */
export interface ArmPermission {
  actions?: string[];
  notActions?: string[];
}

const N = 'Microsoft.Network';
export const neededActions = {
  routeTable: [`${N}/routeTables/read`, `${N}/routeTables/routes/write`, `${N}/routeTables/routes/delete`],
  nic: [`${N}/networkInterfaces/read`, `${N}/networkInterfaces/write`],
  subnet: [`${N}/virtualNetworks/subnets/join/action`],
  publicIp: [`${N}/publicIPAddresses/join/action`],
} as const;

const matches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** True when one of `permissions` allows `action` (in its actions, not in its notActions). */
export function allows(permissions: readonly ArmPermission[], action: string): boolean {
  return permissions.some(
    (p) =>
      (p.actions ?? []).some((a) => matches(a, action)) &&
      !(p.notActions ?? []).some((n) => matches(n, action)),
  );
}

function statusOf(err: unknown): { status: Status; detail: string; retry: boolean } {
  const c = classifyAzureError(err);
  const http = (err as { statusCode?: number } | null)?.statusCode ?? 0;
  const detail = `${c.code}: ${c.message.split('\n')[0]?.slice(0, 200) ?? ''}`;
  if (http === 404) return { status: 'missing-resource', detail, retry: false };
  if (http === 403) return { status: 'missing-permission', detail, retry: false };
  if (http === 401) return { status: 'unreachable', detail: `credentials refused (${c.code})`, retry: false };
  if (c.class === 'throttling' || c.class === 'transient')
    return { status: 'unreachable', detail, retry: true };
  return { status: 'mismatch', detail, retry: false };
}

const rgScope = (sub: string, rg: string): string => `/subscriptions/${sub}/resourceGroups/${rg}`;

/** The `preflight` of the Azure provider; its own ARM client is made on the first call. */
export function azurePreflight(o: AzurePreflightOptions) {
  let made: NetworkManagementClient | undefined;
  const client = (): NetworkManagementClient =>
    (made ??= createNetworkClient({
      subscriptionId: o.subscriptionId,
      credential: o.credential,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
    }));
  const endpoint = (o.endpoint ?? 'https://management.azure.com').replace(/\/$/, '');
  const send = <T>(run: () => Promise<T>): Promise<Answer<T>> => answerOf(run, statusOf, o.sleep);
  /** Every permission the caller has at `scope` (pages followed). */
  const permissionsAt = (scope: string): Promise<Answer<ArmPermission[]>> =>
    send(async () => {
      const all: ArmPermission[] = [];
      let url: string | undefined =
        `${endpoint}${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`;
      for (let page = 0; url && page < 20; page++) {
        const res = await client().sendRequest(createPipelineRequest({ url, method: 'GET' }));
        if (res.status !== 200)
          throw Object.assign(new Error(`permissions of ${scope}: HTTP ${res.status}`), {
            statusCode: res.status,
            code: `HTTP${res.status}`,
          });
        const body = JSON.parse(res.bodyAsText ?? '{}') as { value?: ArmPermission[]; nextLink?: string };
        all.push(...(body.value ?? []));
        url = body.nextLink;
      }
      return all;
    });

  return async function preflight(
    r: VipResource,
    holders: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]> {
    const { out, say } = findingsOf(r.id);
    const failed = (
      subject: string,
      a: { status: Status; detail: string },
      check: PreflightFinding['check'],
    ) => say(a.status === 'unreachable' ? 'reach' : check, a.status, subject, a.detail);
    const members = membersOf(azureHolderSpec, holders, 'azure', say);
    if (!members) return out;
    const sub = o.subscriptionId;
    /** Checks `actions` at `scope` and names each one that is not allowed. */
    const may = async (scope: string, label: string, actions: readonly string[]): Promise<void> => {
      if (!options.permissions) return;
      const got = await permissionsAt(scope);
      if (!got.ok) {
        failed(`permissions on ${label}`, got, 'permission');
        return;
      }
      for (const a of actions)
        say(
          'permission',
          allows(got.value, a) ? 'ok' : 'missing-permission',
          `${a} on ${label}`,
          allows(got.value, a) ? 'allowed (permissions API)' : 'not allowed at this scope (permissions API)',
        );
    };
    const nicOf = async (m: { id: string; spec: AzureHolderSpec }): Promise<NetworkInterface | undefined> => {
      const ref = m.spec.networkInterface;
      if (!ref) return undefined;
      const subject = `network interface ${ref.resourceGroup}/${ref.name} (member ${m.id})`;
      const got = await send(() => client().networkInterfaces.get(ref.resourceGroup, ref.name));
      if (!got.ok) {
        failed(subject, got, 'topology');
        return undefined;
      }
      const ips = (got.value.ipConfigurations ?? []).map((c) => c.privateIPAddress);
      if (!ips.includes(m.spec.privateIp))
        say(
          'topology',
          'mismatch',
          subject,
          `has no IP configuration with ${m.spec.privateIp} (it has ${ips.join(', ') || 'none'})`,
        );
      else say('topology', 'ok', subject, 'exists');
      return got.value;
    };
    const where = `azure resource ${r.id}`;

    if (r.kind === 'route') {
      const s = parseSpec(routeSpec, r.spec, where);
      if (typeof s === 'string') {
        say('topology', 'mismatch', 'spec', s);
        return out;
      }
      for (const t of s.routeTables) {
        const subject = `route table ${t.resourceGroup}/${t.name}`;
        const got = await send(() => client().routeTables.get(t.resourceGroup, t.name));
        if (!got.ok) failed(subject, got, 'topology');
        else {
          const route = got.value.routes?.find((x) => x.name === s.route);
          const member = members.find((m) => route?.nextHopIpAddress === m.spec.privateIp);
          if (route && !member)
            say(
              'topology',
              'warning',
              subject,
              `route ${s.route} points at ${route.nextHopIpAddress ?? route.nextHopType}, not a member`,
              true,
            );
          else
            say(
              'topology',
              'ok',
              subject,
              `exists; route ${s.route} ${route ? `-> ${member?.id}` : 'absent (the first failover creates it)'}`,
            );
        }
        await may(
          `${rgScope(sub, t.resourceGroup)}/providers/${N}/routeTables/${t.name}`,
          subject,
          neededActions.routeTable,
        );
      }
      for (const m of members) {
        const nic = await nicOf(m);
        if (nic && nic.enableIPForwarding !== true)
          say(
            'topology',
            'mismatch',
            `network interface ${m.spec.networkInterface?.resourceGroup}/${m.spec.networkInterface?.name} (member ${m.id})`,
            'IP forwarding is off: Azure drops routed traffic that is not addressed to the NIC',
          );
      }
      return out;
    }

    if (r.kind === 'public-ip' || r.kind === 'secondary-ip') {
      const s =
        r.kind === 'public-ip'
          ? parseSpec(publicIpSpec, r.spec, where)
          : parseSpec(secondaryIpSpec, r.spec, where);
      if (typeof s === 'string') {
        say('topology', 'mismatch', 'spec', s);
        return out;
      }
      const subnets = new Set<string>();
      for (const m of members) {
        const ref = m.spec.networkInterface;
        if (!ref) {
          say(
            'topology',
            'mismatch',
            `member ${m.id}`,
            `has no networkInterface: it cannot hold a ${r.kind}`,
          );
          continue;
        }
        const nic = await nicOf(m);
        const nicScope = `${rgScope(sub, ref.resourceGroup)}/providers/${N}/networkInterfaces/${ref.name}`;
        await may(nicScope, `network interface ${ref.resourceGroup}/${ref.name}`, neededActions.nic);
        const primary = nic?.ipConfigurations?.find((c) => c.primary) ?? nic?.ipConfigurations?.[0];
        const subnet = primary?.subnet?.id;
        if (subnet) {
          subnets.add(subnet.toLowerCase());
          await may(subnet, `subnet ${subnet.split('/').slice(-3).join('/')}`, neededActions.subnet);
        }
      }
      if ('publicIpId' in s) {
        await may(s.publicIpId, `public IP ${s.publicIpId.split('/').pop()}`, neededActions.publicIp);
        say(
          'topology',
          'unproven',
          `public IP ${s.publicIpId.split('/').pop()}`,
          'its existence is not read (floatip reads the NICs only)',
        );
      } else if (subnets.size > 1)
        say(
          'topology',
          'mismatch',
          `secondary IP ${s.privateIp}`,
          `members' NICs are in different subnets; a private IP belongs to one subnet`,
        );
      return out;
    }
    say('topology', 'mismatch', `kind ${r.kind}`, 'unknown kind (route, public-ip, secondary-ip)');
    return out;
  };
}
