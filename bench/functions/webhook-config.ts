/**
 * The control-plane config both function benches start their artifact on: one token, one Alertmanager
 * route and one group on the in-memory provider (written as JSON with its checked copy, as
 * build:functions ships it), and the webhook they answer first.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedPath, checkedText } from '../../functions/control-plane/checked.ts';
import { loadControlPlaneConfig } from '../../functions/control-plane/config.ts';
import { lambdaTestToken } from '../../test/functions/aws-lambda/events.ts';
import { packageVersion } from '../../scripts/functions/build.ts';

/** Writes `floatip.control.json` and its checked copy into `dir`; returns the config's path. */
export async function writeWebhookConfig(dir: string, redisUrl: string, prefix: string): Promise<string> {
  const config = join(dir, 'floatip.control.json');
  const doc = `${JSON.stringify({
    controlPlane: {
      redis: { url: redisUrl, prefix },
      tokens: [{ name: 'ops', value: lambdaTestToken, scopes: ['read', 'failover'] }],
      alerts: [{ match: { alertname: 'NodeDown' }, groupLabel: 'floatip_group', memberLabel: 'instance' }],
      groups: [
        {
          id: 'g',
          members: { a: {}, b: {} },
          resources: [{ id: 'r', provider: 'memory', kind: 'address' }],
        },
      ],
    },
  })}\n`;
  writeFileSync(config, doc);
  const checked = checkedText(doc, await loadControlPlaneConfig(config, undefined), packageVersion());
  writeFileSync(checkedPath(config) ?? '', checked);
  return config;
}

export const webhookPath = '/v1/webhooks/alertmanager';

/** A firing Alertmanager alert, a new incident each time (so no run is a duplicate of another). */
export const alertBody = (): string =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', floatip_group: 'g', instance: 'b' },
        startsAt: new Date().toISOString(),
        fingerprint: randomUUID(),
      },
    ],
  });
