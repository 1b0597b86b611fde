import { hashTagged } from '../../adapters/redis/index.ts';
import type { ControlPlane } from './shared.ts';
/** Where the demo prints (the CLI's stdout/stderr). */
export interface DemoIo {
  out(text: string): void;
  err(text: string): void;
}

/** Removes the demo's own keys (only ever called for configs whose resources are all in-memory). */
export async function resetDemo(cp: ControlPlane): Promise<void> {
  await (await cp.queue()).obliterate({ force: true });
  let cursor = '0';
  do {
    const [next, keys] = await cp.workerRedis.scan(
      cursor,
      'MATCH',
      `${hashTagged(cp.config.redis.prefix)}:*`,
      'COUNT',
      1000,
    );
    cursor = next;
    if (keys.length > 0) await cp.workerRedis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * The demo: the in-memory address starts unassigned, a sweep gives it to the best member, then an
 * Alertmanager-style alert says that member is down and the worker fails over to the next one.
 */
export async function runDemoAlert(cp: ControlPlane, url: string, io: DemoIo): Promise<void> {
  const group = cp.config.groups[0];
  const mapping = cp.config.alerts.find((a) => a.memberLabel !== undefined);
  const token = cp.http.tokens.find((t) => t.scopes.includes('failover'));
  if (!group || !mapping || !token) {
    io.err(
      'demo: the config needs a group, an alert mapping with memberLabel and a token with scope failover',
    );
    return;
  }
  const first = await cp.handle(
    { kind: 'sweep', key: 'demo-sweep', groups: [group.id] },
    { id: 'demo', attempt: 1 },
  );
  if (first.kind !== 'ok') io.err(`demo: sweep failed: ${first.reason}`);
  // Wait for the sweep's failover to land, so the alert moves the group away from its first holder.
  let holder: string | null = null;
  for (let i = 0; i < 100 && holder === null; i++) {
    const s = await cp.api.state.get(group.id);
    holder = s.kind === 'ok' ? (s.value?.holder ?? null) : null;
    if (holder === null) await new Promise((r) => setTimeout(r, 50));
  }
  if (holder === null) {
    io.err('demo: the initial failover did not happen; is the worker running?');
    return;
  }
  const memberValue = Object.entries(mapping.memberMap ?? {}).find(([, m]) => m === holder)?.[0] ?? holder;
  const labels: Record<string, string> = {
    ...mapping.match,
    [mapping.memberLabel ?? 'instance']: memberValue,
  };
  if (mapping.groupLabel) labels[mapping.groupLabel] = group.id;
  io.out(
    `[demo] ${holder} holds ${group.id}; firing alert ${JSON.stringify(labels)} at POST ${url}/v1/webhooks/alertmanager`,
  );
  const res = await fetch(`${url}/v1/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: { summary: `demo: ${holder} stopped answering` },
          startsAt: new Date().toISOString(),
          fingerprint: `demo-${Date.now()}`,
        },
      ],
    }),
  });
  io.out(`[demo] webhook answered ${res.status} ${await res.text()}`);
}
