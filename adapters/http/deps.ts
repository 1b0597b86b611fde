import type { ControlDeps } from '../../core/app/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { ResolvedToken } from './auth.ts';
import type { ControlMetrics } from './metrics.ts';
import type { CertFetcher } from './webhooks/sns-signature.ts';

/** Remembers message ids already acted on (SNS MessageId), so a replayed message changes nothing. */
export interface ReplayGuard {
  seen(id: string): Promise<Outcome<boolean>>;
  remember(id: string, ttlSec: number): Promise<Outcome<undefined>>;
}

/** Everything the hono app needs; the composition root (functions/*) builds it. */
export interface HttpDeps {
  control: ControlDeps;
  tokens: ResolvedToken[];
  metrics: ControlMetrics;
  /** False while the store (Redis) is unreachable: API answers 503 + Retry-After. */
  storeReady: () => boolean;
  replay: ReplayGuard;
  /** Secret of the generic HMAC hook; the route answers 404 when unset. */
  hmacSecret?: string;
  /** Fetches SNS signing certificates (allow-listed); required when `webhooks.sns` is configured. */
  snsCertFetcher?: CertFetcher;
  /** Fetches an SNS SubscribeURL (allow-listed like the certificate) to confirm a subscription. */
  snsConfirm?: (subscribeUrl: string) => Promise<void>;
  /** A fresh id for jobs without an idempotency key. */
  newId: () => string;
}
