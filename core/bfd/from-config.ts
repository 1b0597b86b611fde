/**
 * keepalived bfd_instance (core/model BfdInstance) -> what one session runs. keepalived's timers are in
 * milliseconds; its defaults are already applied by the model schema.
 */
import type { BfdInstance } from '../model/index.ts';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT } from './demux.ts';

export interface BfdSessionPlan {
  name: string;
  neighbor: string;
  source?: string;
  multihop: boolean;
  /** Destination UDP port: 3784 single-hop, 4784 multihop. */
  port: number;
  /** TTL (IPv4) or hop limit (IPv6) stamped on sent packets. */
  ttl: number;
  maxHops: number;
  minTxMs: number;
  minRxMs: number;
  idleTxMs: number;
  detectMult: number;
  passive: boolean;
}

export function bfdSessionPlan(name: string, b: BfdInstance): BfdSessionPlan {
  const v6 = b.neighborIp.includes(':');
  return {
    name,
    neighbor: b.neighborIp,
    ...(b.sourceIp !== undefined ? { source: b.sourceIp } : {}),
    multihop: b.multihop,
    port: b.multihop ? BFD_MULTIHOP_PORT : BFD_SINGLE_HOP_PORT,
    ttl: v6 ? b.hoplimit : b.ttl,
    maxHops: b.maxHops,
    minTxMs: b.minTx,
    minRxMs: b.minRx,
    idleTxMs: b.idleTx,
    detectMult: b.multiplier,
    passive: b.passive,
  };
}
