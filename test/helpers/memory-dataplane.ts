// An LbDataplane that keeps the table in memory and applies ops with the nftables plane's own pure
// table arithmetic, for agent tests that need no kernel data plane.
import type { Outcome } from '../../core/model/index.ts';
import type { LbApplyReport, LbDataplane, LbOp, LbTable } from '../../core/ports/index.ts';
import { IPVS_SCHEDULERS } from '../../adapters/onprem/ipvs/index.ts';
import { applyLbOps } from '../../adapters/onprem/nft/index.ts';

export class MemoryDataplane implements LbDataplane {
  readonly name = 'memory';
  table: LbTable;
  constructor(table: LbTable = { services: [] }) {
    this.table = table;
  }
  async capabilities() {
    return {
      kind: 'ok',
      value: {
        schedulers: IPVS_SCHEDULERS,
        forwarding: ['nat', 'dr', 'tun'],
        families: ['inet', 'inet6'],
        protocols: ['tcp', 'udp', 'sctp'],
        fwmark: true,
        persistence: true,
        atomic: false,
      },
    } as const;
  }
  async read(): Promise<Outcome<LbTable>> {
    return { kind: 'ok', value: this.table };
  }
  async apply(ops: readonly LbOp[]): Promise<Outcome<LbApplyReport>> {
    this.table = applyLbOps(this.table, ops);
    return { kind: 'ok', value: { applied: ops.length, steps: ops.map((o) => o.kind) } };
  }
}
