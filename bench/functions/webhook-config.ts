/**
 * The control-plane config both function benches start their artifact on: one token, one Alertmanager
 * route and one group on the in-memory provider. Written as JSON, as build:functions ships it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaTestToken } from '../../test/functions/aws-lambda/events.ts';

/** Writes `floatip.control.json` into `dir` and returns its path. */
export function writeWebhookConfig(dir: string, redisUrl: string, prefix: string): string {
  const config = join(dir, 'floatip.control.json');
  writeFileSync(
    config,
    JSON.stringify({
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
    }),
  );
  return config;
}
