import * as z from 'zod';
import type { AlertSignal } from '../../../core/app/index.ts';
import { lazySchema, validate } from '../validate.ts';

/** Prometheus Alertmanager webhook payload, version 4 (the fields floatip reads; others are allowed). */
const alertmanagerV4 = lazySchema(() =>
  z.object({
    version: z.literal('4'),
    status: z.enum(['firing', 'resolved']),
    alerts: z
      .array(
        z.object({
          status: z.enum(['firing', 'resolved']),
          labels: z.record(z.string(), z.string()),
          annotations: z.record(z.string(), z.string()).optional(),
          startsAt: z.string().min(1),
          fingerprint: z.string().min(1),
        }),
      )
      .min(1)
      .max(1000),
  }),
);

/** Alertmanager v4 → alerts. One incident = one alert fingerprint since one `startsAt`. */
export function decodeAlertmanager(body: unknown): AlertSignal[] {
  const p = validate(alertmanagerV4, body);
  return p.alerts.map((a, i) => ({
    source: 'alertmanager',
    incident: `${a.fingerprint}@${a.startsAt}`,
    status: a.status,
    labels: a.labels,
    summary: a.annotations?.summary ?? a.labels.alertname ?? 'alert',
    path: `alerts[${i}]`,
  }));
}
