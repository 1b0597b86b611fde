import * as z from 'zod';
import type { AlertSignal } from '../../../core/app/index.ts';
import { lazySchema, validate } from '../validate.ts';

const strMap = z.lazy(() => z.record(z.string(), z.string()));

/** GCP Cloud Monitoring webhook notification (schema version 1.2). */
const gcpIncident = lazySchema(() =>
  z.object({
    version: z.string().optional(),
    incident: z.object({
      incident_id: z.string().min(1),
      state: z.enum(['open', 'closed']),
      policy_name: z.string().min(1),
      condition_name: z.string().optional(),
      summary: z.string().optional(),
      resource: z.object({ type: z.string().optional(), labels: strMap.optional() }).optional(),
      metric: z.object({ type: z.string().optional(), labels: strMap.optional() }).optional(),
      policy_user_labels: strMap.optional(),
    }),
  }),
);

/** GCP → one alert. Labels: resource labels, metric labels, policy user labels, alertname, condition. */
export function decodeGcpMonitoring(body: unknown): AlertSignal[] {
  const i = validate(gcpIncident, body).incident;
  const labels: Record<string, string> = {
    ...(i.resource?.labels ?? {}),
    ...(i.metric?.labels ?? {}),
    ...(i.policy_user_labels ?? {}),
    alertname: i.policy_name,
  };
  if (i.condition_name) labels.condition = i.condition_name;
  if (i.resource?.type) labels.resourceType = i.resource.type;
  return [
    {
      source: 'gcp-monitoring',
      incident: i.incident_id,
      status: i.state === 'open' ? 'firing' : 'resolved',
      labels,
      summary: i.summary ?? i.policy_name,
      path: 'incident',
    },
  ];
}
