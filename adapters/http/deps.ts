import type { Context } from 'hono';
import type { ControlDeps } from '../../core/app/index.ts';
import type { AgentReportStore } from '../../core/ports/agent-report-store.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { ResolvedToken } from './auth.ts';
import type { ControlMetrics } from './metrics.ts';
import type { CertFetcher } from './webhooks/sns-signature.ts';

/**
 * Message ids already acted on (SNS MessageId, the generic hook's signature), so a replayed message
 * changes nothing: `claim` is atomic (of concurrent copies exactly one gets `true`) and lasts `ttlSec`.
 */
export interface ReplayGuard {
  claim(id: string, ttlSec: number): Promise<Outcome<boolean>>;
  /** Gives a claim back when the message could not be processed, so the sender's retry is not a replay. */
  release(id: string): Promise<Outcome<undefined>>;
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
  /** The address the connection came from (the socket's peer); runtimes without sockets leave it out. */
  peerAddress?: (c: Context) => string | undefined;
  /** Jobs by state for the status page's queue depth; left out where the queue cannot count. */
  queueCounts?: () => Promise<Outcome<Record<string, number>>>;
  /** Agent status reports (`POST /v1/agents/{name}/report`); the route answers 404 without it. */
  agents?: AgentReportStore;
  /** How often the status stream re-reads the store (default 1000 ms). */
  statusPollMs?: number;
}
