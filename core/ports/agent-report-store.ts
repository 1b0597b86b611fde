import type { Outcome } from '../model/index.ts';

/** One agent's last status report, as the control plane received it. */
export interface StoredAgentReport {
  name: string;
  receivedAtMs: number;
  /** The agent's status (validated by the HTTP adapter before it is stored). */
  report: Record<string, unknown>;
}

/**
 * Where agent status reports are kept, each for `ttlSec`: an agent that stops reporting drops off by
 * itself.
 *
 * @example
 *   await store.put('lb-1', { name: 'lb-1', receivedAtMs: clock.wallMs(), report });
 *   const all = await store.list();
 */
export interface AgentReportStore {
  ttlSec: number;
  put(name: string, stored: StoredAgentReport): Promise<Outcome<undefined>>;
  list(): Promise<Outcome<StoredAgentReport[]>>;
}
