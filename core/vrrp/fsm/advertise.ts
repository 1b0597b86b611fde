/** Building and sending our own adverts and GARP bursts. */
import type { VrrpAdvert } from '../codec/advert.ts';
import { passAuthData } from '../codec/auth.ts';
import {
  VRRP_AUTH_AH,
  VRRP_AUTH_NONE,
  VRRP_AUTH_PASS,
  VRRP_V2_AUTH_DATA_LENGTH,
} from '../codec/constants.ts';
import { nextAhSeq } from './ah-sequence.ts';
import type { GarpReason } from './effects.ts';
import type { VrrpInstanceSpec } from './spec.ts';
import { count, set, type Tx } from './tx.ts';

/** The advert this instance sends with `priority` (effective priority, or 0 when stepping down). */
export function ownAdvert(spec: VrrpInstanceSpec, priority: number): VrrpAdvert {
  if (spec.version === 3)
    return {
      version: 3,
      vrid: spec.vrid,
      priority,
      addresses: spec.vips,
      maxAdvertIntervalCs: spec.advertIntervalMs / 10,
    };
  const pass = spec.auth.type === 'pass';
  return {
    version: 2,
    vrid: spec.vrid,
    priority,
    addresses: spec.vips,
    // With AH the Authentication Data stays zero: the AH carries the ICV (codec/ah.ts).
    authType: pass ? VRRP_AUTH_PASS : spec.auth.type === 'ah' ? VRRP_AUTH_AH : VRRP_AUTH_NONE,
    authData:
      spec.auth.type === 'pass' ? passAuthData(spec.auth.password) : new Uint8Array(VRRP_V2_AUTH_DATA_LENGTH),
    advertIntervalSec: spec.advertIntervalMs / 1000,
  };
}

export function sendAdvert(tx: Tx, priority = tx.s.effectivePriority): void {
  const spec = tx.s.spec;
  tx.fx.push({
    kind: 'send-advert',
    instance: spec.name,
    family: spec.family,
    advert: ownAdvert(spec, priority),
    ...(spec.auth.type === 'ah' ? { ahSeq: nextAhSeq(tx) } : {}),
  });
  count(tx, 'advert_sent');
  if (spec.timerExpiredBackup !== undefined) set(tx, { lastAdvertSentMs: tx.now });
  if (priority === 0) count(tx, 'pri_zero_sent');
}

/** Every address the instance owns while master (advertised and excluded). */
export const allAddresses = (spec: VrrpInstanceSpec): readonly string[] => [
  ...spec.vips,
  ...spec.excludedVips,
];

export function sendGarp(
  tx: Tx,
  repeat: number,
  reason: GarpReason,
  addresses: readonly string[] = allAddresses(tx.s.spec),
): void {
  const spec = tx.s.spec;
  if (repeat <= 0 || addresses.length === 0) return;
  tx.fx.push({
    kind: 'send-garp',
    instance: spec.name,
    addresses,
    repeat,
    intervalMs: spec.garp.intervalMs,
    reason,
  });
}
