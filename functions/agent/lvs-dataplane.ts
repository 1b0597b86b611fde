/**
 * Chooses the LB data plane: IPVS over generic netlink when the kernel has it, else nftables (NAT only),
 * saying which and why. `--lvs-dataplane ipvs|nftables` forces one.
 */
import type { LbDataplane } from '../../core/ports/index.ts';
import { IpvsDataplane, NO_IPVS_MESSAGE } from '../../adapters/onprem/ipvs/index.ts';
import { NftDataplane, conntrackHeader, conntrackInfo } from '../../adapters/onprem/nft/index.ts';
import { ipvsHeader } from './ipvsadm-format.ts';

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
