/**
 * Chooses the LB data plane: IPVS over generic netlink when the kernel has it, else nftables (NAT only),
 * saying which and why. `--lvs-dataplane ipvs|nftables` forces one.
 */
import type { LbDataplane, LbTable } from '../../core/ports/index.ts';
import { installPlan } from '../../core/app/lvs-desired.ts';
import { IpvsDataplane, NO_IPVS_MESSAGE } from './ipvs/index.ts';
import { NFT_CAPABILITIES, NftDataplane, conntrackHeader, conntrackInfo, nftLimits } from './nft/index.ts';
import { ipvsHeader } from './ipvs/ipvsadm-format.ts';

export type DataplaneChoice = 'auto' | 'ipvs' | 'nftables';

export interface ChosenDataplane {
  dataplane: LbDataplane;
  /** Why this one, for the log and `status`. */
  reason: string;
  /**
   * The first line of `status --lvs`, read from the data plane: IPVS's version and connection table
   * size (IPVS_CMD_GET_INFO), or what nftables' table is (nf_conntrack's limits).
   */
  header(): Promise<string>;
  close(): void;
}

export async function chooseDataplane(
  choice: DataplaneChoice = 'auto',
  nft: { table?: string; command?: readonly string[] } = {},
): Promise<ChosenDataplane> {
  const nftables = (reason: string): ChosenDataplane => ({
    dataplane: new NftDataplane(nft),
    reason,
    header: async () => conntrackHeader(conntrackInfo()),
    close: () => undefined,
  });
  if (choice === 'nftables') return nftables('nftables data plane chosen by configuration');
  const ipvs = new IpvsDataplane();
  const caps = await ipvs.capabilities();
  if (caps.kind === 'ok') {
    const header = async (): Promise<string> => {
      const info = await ipvs.info();
      if (info.kind !== 'ok') return `IP Virtual Server (version unknown: ${info.reason})`;
      return ipvsHeader(info.value.version, info.value.connTabSize);
    };
    return { dataplane: ipvs, reason: 'kernel has IPVS', header, close: () => ipvs.close() };
  }
  ipvs.close();
  if (choice === 'ipvs') throw new Error(caps.reason);
  if (caps.reason === NO_IPVS_MESSAGE) return nftables(`${NO_IPVS_MESSAGE}: using nftables`);
  throw new Error(caps.reason);
}

/**
 * The nftables transaction that would install `table` on an empty data plane (`floatip lvs-table --nft`),
 * or why the nftables plane refuses it.
 */
export function previewNft(
  table: LbTable,
): { kind: 'ok'; text: string } | { kind: 'refused'; reason: string } {
  const plan = installPlan(table, NFT_CAPABILITIES, 'nftables');
  if (plan.kind !== 'ok') return { kind: 'refused', reason: plan.reason };
  const refused = nftLimits(table);
  if (refused) return { kind: 'refused', reason: refused };
  return { kind: 'ok', text: new NftDataplane().preview(plan.value) };
}
