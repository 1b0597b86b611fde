import type { LbCapabilities, LbOp, LbTable, Outcome } from '../model/index.ts';

/** The LB table's value types live in core/model (lb-table.ts); re-exported for the port's users. */
export type {
  LbFamily,
  LbProtocol,
  LbForwarding,
  LbServiceKey,
  LbSchedFlags,
  LbPersistence,
  LbTunnel,
  LbCounters,
  LbDestination,
  LbService,
  LbTimeouts,
  LbTable,
  LbOp,
  LbCapabilities,
} from '../model/index.ts';

/**
 * The load-balancing data plane: the kernel table of virtual services and their real servers (IPVS over
 * generic netlink, or an nftables ruleset on kernels without IPVS). The core plans changes as an ordered
 * list of operations (core/lb/plan.ts); the adapter applies them and never flushes and rebuilds what the
 * list does not touch.
 *
 * @example
 *   const caps = await dataplane.capabilities();
 *   const now = await dataplane.read();
 *   if (caps.kind === 'ok' && now.kind === 'ok') {
 *     const plan = planLb(desired, now.value, caps.value);
 *     if (plan.kind === 'ok') await dataplane.apply(plan.value);
 *   }
 */
export interface LbDataplane {
  /** `ipvs`, `nftables`, `memory`. */
  readonly name: string;
  /** What this data plane can express here; `give-up` with a reason when it cannot run at all. */
  capabilities(): Promise<Outcome<LbCapabilities>>;
  /** The table as the data plane holds it now, services and destinations in its own list order. */
  read(): Promise<Outcome<LbTable>>;
  /** Carries out the operations in order. Bad input is refused before anything changes. */
  apply(ops: readonly LbOp[]): Promise<Outcome<LbApplyReport>>;
}

export interface LbApplyReport {
  /** How many operations were carried out. */
  applied: number;
  /** Human-readable description of each, in order, for logs and dry runs. */
  steps: string[];
}
