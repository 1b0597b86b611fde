/** The control plane's part of the native config (`controlPlane:` in floatip YAML/JSON). */

/** `read`: state, audit, status page; `failover`: move groups, post alerts; `report`: agents post their status. */
export type Scope = 'read' | 'failover' | 'report';

export interface TokenConfig {
  name: string;
  /** The secret itself (tests, demos) ... */
  value?: string;
  /** ... or the environment variable that holds it (production). Exactly one of the two. */
  env?: string;
  scopes: Scope[];
  /** With scope `report`: the only agent names this token may report as (absent: any agent). */
  agents?: string[];
}

import type { GroupConfig, PolicyOverrides, ProviderConfig } from './failover-group.ts';

export type { GroupConfig, MemberConfig, ProviderConfig, ResourceConfig } from './failover-group.ts';

/**
 * Maps an alert's labels to the group and member it is about. All `match` labels must be equal. The group
 * is `group` or the value of label `groupLabel`; the member is the value of `memberLabel`, translated by
 * `memberMap` when given.
 */
export interface AlertMapping {
  match: Record<string, string>;
  group?: string;
  groupLabel?: string;
  memberLabel?: string;
  memberMap?: Record<string, string>;
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * The control plane's Redis. One of: `url` (`redis://` or `rediss://`, a single node or a managed
 * endpoint), `urlEnv` (the URL from that environment variable), `sentinels` + `name` (Redis Sentinel),
 * `cluster` (seed nodes of a Redis Cluster). Secrets only from the environment: `passwordEnv`,
 * `sentinelPasswordEnv`. `tls` turns on TLS for sentinels/cluster (a `rediss://` URL already does).
 * Every key sits under the hash tag `{prefix}`, so all of them share one Cluster slot.
 */
export interface RedisConfig {
  url?: string;
  urlEnv?: string;
  sentinels?: HostPort[];
  name?: string;
  cluster?: HostPort[];
  username?: string;
  passwordEnv?: string;
  sentinelPasswordEnv?: string;
  /**
   * Replicas that must hold a job before it is accepted (Redis WAIT, 500 ms): with Sentinel, 1 keeps an
   * accepted webhook through a primary's crash. Not with cluster.
   */
  replicas?: number;
  tls?: true | { caFile?: string; servername?: string };
  prefix: string;
}

export interface ControlPlaneConfig {
  redis: RedisConfig;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    ratePerMinute: number;
    /** Proxies whose X-Forwarded-For is believed: addresses or CIDR blocks. */
    trustedProxies: string[];
  };
  worker: { concurrency: number; lockTtlMs: number; attempts: number; backoffMs: number };
  sweep: { everyMs: number };
  tokens: TokenConfig[];
  webhooks: {
    /** HMAC-SHA256 secret for the generic hook: `value` or `env`. */
    hmac?: { value?: string; env?: string; toleranceSec: number };
    sns?: { topicArns: string[]; certUrlPattern: string; toleranceSec: number };
  };
  alerts: AlertMapping[];
  groups: GroupConfig[];
  /**
   * Provider connections by name (`aws: { region, endpoint? }`), passed to that provider's adapter, which
   * validates them; credentials come from the provider's own chain (environment, instance role), never here.
   */
  providers: Record<string, ProviderConfig>;
  policy?: PolicyOverrides;
}
