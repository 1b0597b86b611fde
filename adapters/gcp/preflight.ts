/**
 * Pre-flight of the GCP kinds (`floatip cloud preflight`): reads each member's instance (it exists, has
 * the configured interface, can forward when routes point at it, sits in the route's network) and asks
 * Compute Engine's testIamPermissions, on each member instance and on each existing route slot, which of
 * the permissions a failover needs the caller has. Creating a route is a project-level permission that
 * no existing resource can be asked about: reported unproven, never assumed.
 */
import type { protos } from '@google-cloud/compute';
import { answerOf, findingsOf, membersOf, type PreflightAnswer } from '../../core/app/preflight.ts';
import type { Holder, PreflightFinding, PreflightOptions, VipResource } from '../../core/ports/index.ts';
import type { Sleep } from '../../core/failover/index.ts';
import { gcpClients, namesFilter, noRetry, type GcpClientOptions } from './context.ts';
import { classifyGcpError } from './errors.ts';
import { accessConfigSpec, aliasIpSpec, gcpHolderSpec, parseSpec, routeSpec } from './specs.ts';

export interface GcpPreflightOptions extends GcpClientOptions {
  project: string;
  sleep: Sleep;
}

type Status = PreflightFinding['status'];
type Instance = protos.google.cloud.compute.v1.IInstance;
type Route = protos.google.cloud.compute.v1.IRoute;

/** The instance permissions each kind's moves use (infra/gcp/custom-role.yaml). */
export const instancePermissions: Readonly<Record<string, readonly string[]>> = {
  'alias-ip': ['compute.instances.get', 'compute.instances.updateNetworkInterface'],
  'access-config': [
    'compute.instances.get',
    'compute.instances.addAccessConfig',
    'compute.instances.deleteAccessConfig',
  ],
  route: ['compute.instances.get'],
};
const routePermissions = ['compute.routes.get', 'compute.routes.delete'];

function statusOf(err: unknown): { status: Status; detail: string; retry: boolean } {
  const c = classifyGcpError(err);
  const code = Number((err as { code?: unknown } | null)?.code) || 0;
  const detail = `${c.code}: ${c.message.split('\n')[0]?.slice(0, 200) ?? ''}`;
  if (code === 404 || c.code === 'notFound') return { status: 'missing-resource', detail, retry: false };
  if (code === 403 || c.code === 'forbidden') return { status: 'missing-permission', detail, retry: false };
  if (code === 401) return { status: 'unreachable', detail: `credentials refused (${c.code})`, retry: false };
  if (c.class === 'throttling' || c.class === 'transient')
    return { status: 'unreachable', detail, retry: true };
  return { status: 'mismatch', detail, retry: false };
}

/** The `preflight` of the GCP provider; each call makes its own clients and closes them when done. */
export function gcpPreflight(o: GcpPreflightOptions) {
  const send = <T>(run: () => Promise<T>): Promise<PreflightAnswer<T>> => answerOf(run, statusOf, o.sleep);
  const project = o.project;

  return async function preflight(
    r: VipResource,
    holders: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]> {
    const clients = gcpClients({
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.authClient ? { authClient: o.authClient } : {}),
    });
    try {
      return await check(clients, r, holders, options);
    } finally {
      await Promise.all([
        clients.instances.close(),
        clients.routes.close(),
        clients.zoneOperations.close(),
        clients.globalOperations.close(),
      ]);
    }
  };

  async function check(
    c: ReturnType<typeof gcpClients>,
    r: VipResource,
    holders: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]> {
    const { out, say } = findingsOf(r.id);
    const members = membersOf(gcpHolderSpec, holders, 'gcp', say);
    if (!members) return out;
    const where = `gcp resource ${r.id}`;
    const spec =
      r.kind === 'alias-ip'
        ? parseSpec(aliasIpSpec, r.spec, where)
        : r.kind === 'access-config'
          ? parseSpec(accessConfigSpec, r.spec, where)
          : r.kind === 'route'
            ? parseSpec(routeSpec, r.spec, where)
            : `${where}: unknown kind ${r.kind} (alias-ip, access-config, route)`;
    if (typeof spec === 'string') {
      say('topology', 'mismatch', 'spec', spec);
      return out;
    }
    const route =
      r.kind === 'route' ? (spec as { namePrefix: string; network: string; destRange: string }) : null;

    /** Grants of `permissions` on one resource, as testIamPermissions answers them. */
    const test = async (on: string, permissions: readonly string[], run: () => Promise<unknown>) => {
      const a = await send(run);
      if (!a.ok) {
        say(
          a.status === 'unreachable' ? 'reach' : 'permission',
          a.status,
          `testIamPermissions on ${on}`,
          a.detail,
        );
        return;
      }
      const answer = (Array.isArray(a.value) ? a.value[0] : a.value) as
        { permissions?: string[] | null } | undefined;
      const granted = new Set(answer?.permissions ?? []);
      for (const p of permissions)
        say(
          'permission',
          granted.has(p) ? 'ok' : 'missing-permission',
          `${p} on ${on}`,
          granted.has(p) ? 'granted (testIamPermissions)' : 'not granted (testIamPermissions)',
        );
    };

    for (const m of members) {
      const { zone, instance, networkInterface } = m.spec;
      const subject = `instance ${zone}/${instance} (member ${m.id})`;
      const got = await send(
        async () => (await c.instances.get({ project, zone, instance }, noRetry))[0] as Instance,
      );
      if (!got.ok) {
        say(got.status === 'unreachable' ? 'reach' : 'topology', got.status, subject, got.detail);
        continue;
      }
      const nic = got.value.networkInterfaces?.find((n) => (n.name ?? 'nic0') === networkInterface);
      if (!nic) {
        say('topology', 'mismatch', subject, `has no network interface ${networkInterface}`);
        continue;
      }
      let fine = true;
      if (route) {
        if (got.value.canIpForward !== true) {
          fine = false;
          say(
            'topology',
            'mismatch',
            subject,
            'canIpForward is false: GCE accepts a route to it (NEXT_HOP_CANNOT_IP_FORWARD) and forwards nothing',
          );
        }
        const net = nic.network ?? '';
        // The config may name the network `default`, `global/networks/default` or by URL: compare names.
        if (net && net.split('/').pop() !== route.network.split('/').pop()) {
          fine = false;
          say(
            'topology',
            'mismatch',
            subject,
            `${networkInterface} is in ${net.split('/').pop()}, the route in ${route.network}`,
          );
        }
      }
      if (fine)
        say('topology', 'ok', subject, `exists with ${networkInterface}${route ? ', can forward' : ''}`);
      if (options.permissions)
        await test(`instance ${zone}/${instance}`, instancePermissions[r.kind] ?? [], () =>
          c.instances.testIamPermissions(
            {
              project,
              zone,
              resource: instance,
              testPermissionsRequestResource: { permissions: [...(instancePermissions[r.kind] ?? [])] },
            },
            noRetry,
          ),
        );
    }

    if (route) {
      const names = [`${route.namePrefix}-a`, `${route.namePrefix}-b`];
      const listed = await send(
        async () => (await c.routes.list({ project, filter: namesFilter(names) }, noRetry))[0] as Route[],
      );
      if (!listed.ok)
        say(
          listed.status === 'unreachable' ? 'reach' : 'topology',
          listed.status,
          `routes ${names.join(', ')}`,
          listed.detail,
        );
      else {
        const found = listed.value;
        if (found.length === 0)
          say('topology', 'ok', `routes ${names.join(', ')}`, 'absent (the first failover creates one)');
        for (const x of found) {
          const hop = x.nextHopInstance ?? '';
          const member = members.find((m) =>
            hop.endsWith(`/zones/${m.spec.zone}/instances/${m.spec.instance}`),
          );
          if (!member)
            say(
              'topology',
              'warning',
              `route ${x.name}`,
              `points at ${hop.split('/').slice(-3).join('/') || 'no instance'}, not a member`,
              true,
            );
          else say('topology', 'ok', `route ${x.name}`, `${x.destRange} -> ${member.id}`);
          if (x.destRange && x.destRange !== route.destRange)
            say(
              'topology',
              'mismatch',
              `route ${x.name}`,
              `has destRange ${x.destRange}, the config ${route.destRange}`,
            );
          if (options.permissions) {
            const name = x.name ?? '';
            await test(`route ${name}`, routePermissions, () =>
              c.routes.testIamPermissions(
                {
                  project,
                  resource: name,
                  testPermissionsRequestResource: { permissions: routePermissions },
                },
                noRetry,
              ),
            );
          }
        }
      }
      if (options.permissions)
        say(
          'permission',
          'unproven',
          `compute.routes.create, compute.networks.updatePolicy in ${project}`,
          'project-level: testIamPermissions answers only for existing resources (as are the operations reads)',
        );
    }
    if (r.kind === 'access-config' && options.permissions)
      say(
        'permission',
        'unproven',
        'compute.addresses.use, compute.subnetworks.useExternalIp',
        'the address and subnetwork are not named in the config: not asked',
      );
    return out;
  }
}
