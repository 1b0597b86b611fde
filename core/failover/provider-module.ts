import type * as z from 'zod';
import type { Clock, Holder, Random, VipProvider } from '../ports/index.ts';
import type { FailoverPolicy } from './policy.ts';
import type { Sleep } from './retry.ts';

/**
 * What a cloud adapter folder declares about its configuration: its settings, how it knows a member,
 * its resource kinds, and how long one write may take. Pure data (zod schemas), so a config can be
 * checked without loading any SDK.
 */
/**
 * Adapters wrap their schemas in `z.lazy`: a schema is built on its first parse, so a cloud function's
 * cold start builds only those of the providers its config names (all four clouds' cost ~10 M
 * instructions, bench:functions-instructions).
 */
export interface ProviderSchemas {
  /** The adapter's type name (`aws`, `azure`, `gcp`, `dns`, `memory`). */
  type: string;
  /** The connection settings (`providers.<name>` minus `type`). */
  settings: z.ZodType<Record<string, unknown>, unknown>;
  /** A member's block for this provider (`members.<id>.<name>`). */
  member: z.ZodType<Record<string, unknown>, unknown>;
  /** Resource kinds and their `spec` schemas; null: any kind, any spec (the in-memory provider). */
  kinds: Readonly<Record<string, z.ZodType<Record<string, unknown>, unknown>>> | null;
  /**
   * The longest one write may take, verification included (an Azure long-running operation, a Route 53
   * change reaching INSYNC). A group lock must outlive it: if the store went away right after a write
   * started, the lock must not expire before the write ends, or two decisions could overlap.
   */
  expectedWriteMs: number;
  /**
   * Checks of what the settings point at outside the config, made when the provider is built (before any
   * SDK loads): a credential variable that is not set, a CA file that cannot be read. One line each.
   */
  check?(settings: Record<string, unknown>, env: Record<string, string | undefined>): string[];
}

/** What every provider is built with besides its own settings. */
export interface ProviderRuntime {
  /** The provider's configured name (`aws`, `r53`, ...): it labels errors and metrics. */
  name: string;
  policy: FailoverPolicy;
  clock: Clock;
  random: Random;
  sleep: Sleep;
  env: Record<string, string | undefined>;
  /** Test and embedding overrides, by adapter (e.g. `{ azureCredential }`). */
  overrides?: Readonly<Record<string, unknown>>;
}

/** A cloud adapter folder's public surface: its schemas and its factory. */
export interface ProviderModule extends ProviderSchemas {
  /** The error codes metrics may name as they are (a bounded label set); any other is `other`. */
  knownCodes: ReadonlySet<string>;
  make(settings: Record<string, unknown>, members: readonly Holder[], rt: ProviderRuntime): VipProvider;
  /**
   * `floatip cloud preflight` for this provider, from the same settings (core/app/preflight.ts); the
   * composition puts it on the provider `make` returns. Absent: the provider's pre-flight is unproven.
   */
  preflight?(settings: Record<string, unknown>, rt: ProviderRuntime): NonNullable<VipProvider['preflight']>;
}
