import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The control plane's Prometheus metrics, in their own registry (one per process / app). */
export interface ControlMetrics {
  registry: Registry;
  failoverDuration: Histogram<'group' | 'action' | 'outcome'>;
  providerErrors: Counter<'provider' | 'class' | 'code'>;
  holder: Gauge<'group' | 'member'>;
  advertLateness: Histogram<'scope'>;
  webhooks: Counter<'source' | 'result'>;
  jobs: Counter<'kind' | 'result'>;
  authFailures: Counter<'reason'>;
  rateLimited: Counter<'bucket'>;
  agentReports: Counter<'result'>;
}

export function createControlMetrics(options: { defaults?: boolean } = {}): ControlMetrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'floatip_' });
  const m: ControlMetrics = {
    registry,
    failoverDuration: new Histogram({
      name: 'floatip_failover_duration_seconds',
      help: 'Time from a failover job starting to its fenced commit',
      labelNames: ['group', 'action', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'floatip_provider_api_errors_total',
      help: 'Failed provider API calls (after retries), by provider, error class (throttling, transient, conflict, fatal) and provider error code (a fixed set; other)',
      labelNames: ['provider', 'class', 'code'],
      registers: [registry],
    }),
    holder: new Gauge({
      name: 'floatip_group_holder',
      help: '1 for the member that currently holds the group (as last committed), 0 for the others',
      labelNames: ['group', 'member'],
      registers: [registry],
    }),
    advertLateness: new Histogram({
      name: 'floatip_advert_lateness_seconds',
      help: 'How late a lease advert (renewal) arrived after it was due',
      labelNames: ['scope'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'floatip_webhooks_total',
      help: 'Webhook requests by source and result',
      labelNames: ['source', 'result'],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'floatip_jobs_total',
      help: 'Control jobs run by kind and result',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'floatip_http_auth_failures_total',
      help: 'Requests refused by authentication or authorization (missing, invalid or under-scoped token; bad webhook signature), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'floatip_http_rate_limited_total',
      help: 'Requests answered 429, by bucket kind (api or the webhook source)',
      labelNames: ['bucket'],
      registers: [registry],
    }),
    agentReports: new Counter({
      name: 'floatip_agent_reports_total',
      help: 'Agent status reports received, by result (stored, invalid)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
  return m;
}
