import type { Epoch, Outcome } from '../model/index.ts';

/** One VRRP-style advert carried over a shared store instead of the wire. */
export interface LeaseAdvert {
  scope: string;
  node: string;
  /** The node's own address: the equal-priority tie-break of VRRP compares it (rfc5798 §6.4.3). */
  address: string;
  /** 0 = the master is stepping down (rfc5798 §6.4.3 shutdown advert). */
  priority: number;
  intervalMs: number;
  vips: string[];
  sentAtMs: number;
}

/**
 * Election transport for peers that cannot reach each other by VRRP on the wire (other VPCs, other clouds):
 * adverts are published through the store, and mastership is a lease with a fencing epoch. `claim`
 * succeeds when the lease is free, already ours, or held by a lower-priority node (preemption, with the
 * VRRP address tie-break); `renew` fails with `conflict` once someone else has claimed it.
 *
 * @example
 *   const sub = await transport.subscribe('web', (a) => feed(a));
 *   const lease = await transport.claim('web', 'node-1', 200, '10.0.0.1', 3000);
 *   if (lease.kind === 'ok') await provider.acquire(vip, me, lease.value.epoch);
 */
export interface LeaseTransport {
  publish(advert: LeaseAdvert): Promise<Outcome<undefined>>;
  subscribe(
    scope: string,
    onAdvert: (advert: LeaseAdvert) => void,
  ): Promise<Outcome<{ close(): Promise<void> }>>;
  claim(
    scope: string,
    node: string,
    priority: number,
    address: string,
    ttlMs: number,
  ): Promise<Outcome<{ epoch: Epoch }>>;
  renew(scope: string, node: string, epoch: Epoch, ttlMs: number): Promise<Outcome<undefined>>;
  /** Lets the lease go if this node still holds it under `epoch`. */
  release(scope: string, node: string, epoch: Epoch): Promise<Outcome<undefined>>;
}
