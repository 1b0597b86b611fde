import * as z from 'zod';
import type { AlertSignal } from '../../../core/app/index.ts';
import { lazySchema, validate } from '../validate.ts';

/** Azure Monitor common alert schema (`azureMonitorCommonAlertSchema`); essentials are what floatip reads. */
const commonAlert = lazySchema(() =>
  z.object({
    schemaId: z.literal('azureMonitorCommonAlertSchema'),
    data: z.object({
      essentials: z.object({
        alertId: z.string().min(1),
        alertRule: z.string().min(1),
        severity: z.string().optional(),
        signalType: z.string().optional(),
        monitorCondition: z.enum(['Fired', 'Resolved']),
        monitoringService: z.string().optional(),
        configurationItems: z.array(z.string()).optional(),
        firedDateTime: z.string().optional(),
        description: z.string().nullish(),
      }),
      customProperties: z.record(z.string(), z.string()).nullish(),
    }),
  }),
);

/** Azure Monitor → one alert. Labels: alertname, severity, signalType, monitoringService, configurationItem, custom properties. */
export function decodeAzureMonitor(body: unknown): AlertSignal[] {
  const p = validate(commonAlert, body);
  const e = p.data.essentials;
  const labels: Record<string, string> = { ...(p.data.customProperties ?? {}), alertname: e.alertRule };
  if (e.severity) labels.severity = e.severity;
  if (e.signalType) labels.signalType = e.signalType;
  if (e.monitoringService) labels.monitoringService = e.monitoringService;
  const item = e.configurationItems?.[0];
  if (item) labels.configurationItem = item;
  return [
    {
      source: 'azure-monitor',
      incident: e.alertId,
      status: e.monitorCondition === 'Fired' ? 'firing' : 'resolved',
      labels,
      summary: e.description ?? e.alertRule,
      path: 'data',
    },
  ];
}
