/**
 * The receive checks that need the instance's configuration (rfc3768 §7.1, rfc5798 §7.1, rfc9568 §7.1):
 * VRID and family configured, version, unicast source, v2 auth type and password, v2 advert interval.
 * The address list check is advisory (RFC 9568; keepalived >= 2.3.3): a mismatch is reported, not discarded.
 */
import { advertIntervalMs, type ReceivedAdvert } from '../codec/advert.ts';
import { authDataEqual, passAuthData } from '../codec/auth.ts';
import { VRRP_AUTH_AH, VRRP_AUTH_NONE, VRRP_AUTH_PASS } from '../codec/constants.ts';
import type { RejectReason } from '../codec/reject-reason.ts';
import type { VrrpReport } from './effects.ts';
import type { VrrpInstanceSpec } from './spec.ts';

export type AdvertCheck =
  { ok: true; advisories: readonly VrrpReport[] } | { ok: false; reason: RejectReason };

export function checkAdvertForInstance(spec: VrrpInstanceSpec, packet: ReceivedAdvert): AdvertCheck {
  const { advert, ip } = packet;
  if (advert.vrid !== spec.vrid || ip.family !== spec.family) return { ok: false, reason: 'unknown-vrid' };
  // keepalived checks first that an AH came exactly when auth_type AH is configured (IPv4, either version).
  if ((packet.ah !== undefined) !== (spec.auth.type === 'ah'))
    return { ok: false, reason: 'authtype-mismatch' };
  if (advert.version !== spec.version) return { ok: false, reason: 'version' };
  const isPeer = spec.unicastPeers.includes(ip.src);
  if (spec.unicastPeers.length > 0 && spec.checkUnicastSrc && !isPeer)
    return { ok: false, reason: 'unicast-src' };
  if (advert.version === 2) {
    if (advert.authType > VRRP_AUTH_AH) return { ok: false, reason: 'invalid-authtype' };
    const ours =
      spec.auth.type === 'pass' ? VRRP_AUTH_PASS : spec.auth.type === 'ah' ? VRRP_AUTH_AH : VRRP_AUTH_NONE;
    if (advert.authType !== ours) return { ok: false, reason: 'authtype-mismatch' };
    // AH: a bad ICV (wrong key or altered packet) or an SPI that is not the source address.
    if (packet.ah && !(packet.ah.icvOk && packet.ah.spiOk)) return { ok: false, reason: 'auth-failure' };
    if (spec.auth.type === 'pass' && !authDataEqual(advert.authData, passAuthData(spec.auth.password)))
      return { ok: false, reason: 'auth-failure' };
    // rfc3768 §7.1: MUST discard when Adver Int differs from ours.
    if (advertIntervalMs(advert) !== spec.advertIntervalMs) return { ok: false, reason: 'advert-interval' };
  }
  const advisories: VrrpReport[] = [];
  if (spec.unicastPeers.length > 0 && !isPeer) advisories.push({ kind: 'foreign-sender', from: ip.src });
  const theirs = advert.addresses;
  const ours = spec.vips;
  const same = theirs.length === ours.length && theirs.every((a) => ours.includes(a));
  // A priority-0 advert from a stopping master still carries its list; compare it all the same.
  if (!same) {
    const disjoint = theirs.length > 0 && ours.length > 0 && !theirs.some((a) => ours.includes(a));
    advisories.push(
      disjoint
        ? { kind: 'vrid-collision', from: ip.src, theirs }
        : { kind: 'address-mismatch', from: ip.src, theirs, ours },
    );
  }
  if (advert.version === 3 && advertIntervalMs(advert) !== spec.advertIntervalMs)
    advisories.push({
      kind: 'interval-mismatch',
      from: ip.src,
      theirsMs: advertIntervalMs(advert),
      oursMs: spec.advertIntervalMs,
    });
  return { ok: true, advisories };
}
