// The nftables data plane in the one-director LVS lab (test/helpers/netns-lvs.ts): the lab's real servers
// as destinations, services on its VIP, and `converge`, which plans desired vs what the plane holds and
// applies it exactly as the agent does (asserting each step went through).
import assert from 'node:assert/strict';
import type { LbDestination, LbService, LbTable } from '../../core/ports/index.ts';
import { planLb } from '../../core/lb/plan.ts';
import { NftDataplane, NFT_CAPABILITIES } from '../../adapters/onprem/nft/index.ts';
import { lvsLabAddrs, type LvsLab } from './netns-lvs.ts';
import { lbDest, lbServiceHead } from './lb-table.ts';

/** A lab real server as a NAT destination. */
export const labRs = (name: 'r1' | 'r2', weight = 1): LbDestination =>
  lbDest(lvsLabAddrs[name], lvsLabAddrs.rsPort, 'nat', weight);

/** A TCP service on the lab's VIP. */
export const labVs = (
  scheduler: string,
  dests: LbDestination[],
  extra: Partial<LbService> & { port?: number } = {},
): LbService => {
  const { port = 80, ...rest } = extra;
  return {
    ...lbServiceHead(
      { kind: 'addr', family: 'inet', protocol: 'tcp', addr: lvsLabAddrs.vip, port },
      scheduler,
    ),
    destinations: dests,
    ...rest,
  };
};

export interface LabNft {
  plane: NftDataplane;
  /** Plans `desired` against what the plane holds and applies it; returns the op kinds. */
  converge(desired: LbTable): Promise<string[]>;
}

/** An NftDataplane running `nft` in the lab's director namespace. */
export function labNft(lab: LvsLab, seed?: number): LabNft {
  const plane = new NftDataplane({ command: lab.nftCommand, ...(seed === undefined ? {} : { seed }) });
  return {
    plane,
    async converge(desired) {
      const current = await plane.read();
      assert.equal(current.kind, 'ok');
      const plan = planLb(
        desired,
        current.kind === 'ok' ? current.value : { services: [] },
        NFT_CAPABILITIES,
        'nftables',
      );
      assert.equal(plan.kind, 'ok', plan.kind === 'ok' ? '' : plan.reason);
      const ops = plan.kind === 'ok' ? plan.value : [];
      const applied = await plane.apply(ops);
      assert.equal(applied.kind, 'ok', applied.kind === 'ok' ? '' : applied.reason);
      return ops.map((o) => o.kind);
    },
  };
}
