import * as z from 'zod';
import type { AlertSignal } from '../../../core/app/index.ts';
import { HttpError } from '../errors.ts';
import { lazySchema, validate } from '../validate.ts';
import type { SnsMessage } from './sns-signature.ts';

const snsEnvelope = lazySchema(() =>
  z.object({
    Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
    MessageId: z.string().min(1).max(128),
    TopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/),
    Message: z.string(),
    Timestamp: z.string().min(1),
    SignatureVersion: z.enum(['1', '2']),
    Signature: z.string().min(1),
    SigningCertURL: z.string().min(1),
    Subject: z.string().optional(),
    SubscribeURL: z.string().optional(),
    Token: z.string().optional(),
  }),
);

/** Validates the envelope shape; the signature is checked separately. */
export function decodeSnsEnvelope(body: unknown): SnsMessage {
  const m = validate(snsEnvelope, body) as SnsMessage;
  if (m.Type !== 'Notification' && (m.SubscribeURL === undefined || m.Token === undefined))
    throw new HttpError(400, 'invalid_field', 'SubscribeURL', `${m.Type} needs SubscribeURL and Token`);
  return m;
}

/** Rejects a message whose Timestamp is older than `toleranceSec` (a replay) or in the future. */
export function checkSnsFreshness(m: SnsMessage, nowMs: number, toleranceSec: number): void {
  const t = Date.parse(m.Timestamp);
  if (Number.isNaN(t))
    throw new HttpError(400, 'invalid_field', 'Timestamp', 'Timestamp is not an ISO 8601 time');
  if (nowMs - t > toleranceSec * 1000)
    throw new HttpError(
      400,
      'stale_message',
      'Timestamp',
      `message is older than ${toleranceSec} s (replayed?)`,
    );
  if (t - nowMs > 300_000)
    throw new HttpError(400, 'stale_message', 'Timestamp', 'message Timestamp is in the future');
}

const cloudWatchAlarm = lazySchema(() =>
  z.object({
    AlarmName: z.string().min(1),
    NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
    NewStateReason: z.string().optional(),
    StateChangeTime: z.string().min(1),
    Trigger: z
      .object({
        MetricName: z.string().optional(),
        Namespace: z.string().optional(),
        Dimensions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
      })
      .optional(),
  }),
);

/**
 * A CloudWatch alarm carried in an SNS Notification → one alert. Labels: alertname, namespace, metric,
 * and each dimension by name. One incident = one alarm state change. INSUFFICIENT_DATA is ignored.
 */
export function decodeCloudWatchAlarm(m: SnsMessage): AlertSignal[] {
  let inner: unknown;
  try {
    inner = JSON.parse(m.Message);
  } catch {
    throw new HttpError(400, 'malformed_json', 'Message', 'SNS Message is not a CloudWatch alarm (not JSON)');
  }
  const a = validate(cloudWatchAlarm, inner, 'Message');
  if (a.NewStateValue === 'INSUFFICIENT_DATA') return [];
  const labels: Record<string, string> = { alertname: a.AlarmName };
  if (a.Trigger?.Namespace) labels.namespace = a.Trigger.Namespace;
  if (a.Trigger?.MetricName) labels.metric = a.Trigger.MetricName;
  for (const d of a.Trigger?.Dimensions ?? []) labels[d.name] = d.value;
  return [
    {
      source: 'sns',
      incident: `${a.AlarmName}@${a.StateChangeTime}`,
      status: a.NewStateValue === 'ALARM' ? 'firing' : 'resolved',
      labels,
      summary: a.NewStateReason ?? a.AlarmName,
      path: 'Message',
    },
  ];
}
