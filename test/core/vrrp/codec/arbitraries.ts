// fast-check generators for adverts of every version/family, shared by the codec property tests.
import fc from 'fast-check';
import {
  formatIpv4,
  formatIpv6,
  type IpFamily,
  type IpHeaderInfo,
  type VrrpAdvert,
} from '../../../../core/vrrp/index.ts';

export const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIpv4(b));
export const ipv6 = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => {
    const b = new Uint8Array(16);
    groups.forEach((g, i) => {
      b[2 * i] = g >> 8;
      b[2 * i + 1] = g & 0xff;
    });
    return formatIpv6(b);
  });

export const addressOf = (family: IpFamily): fc.Arbitrary<string> => (family === 'ipv4' ? ipv4 : ipv6);

export const ipHeader = (family: IpFamily): fc.Arbitrary<IpHeaderInfo> =>
  fc.record({
    family: fc.constant(family),
    src: addressOf(family),
    dst: addressOf(family),
    ttl: fc.constant(255),
    protocol: fc.constant(112),
  });

const common = (family: IpFamily) => ({
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  addresses: fc.array(addressOf(family), { maxLength: 20 }),
});

export const v2Advert: fc.Arbitrary<VrrpAdvert> = fc.record({
  version: fc.constant(2 as const),
  ...common('ipv4'),
  authType: fc.integer({ min: 0, max: 2 }),
  authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  advertIntervalSec: fc.integer({ min: 1, max: 255 }),
});

export const v3Advert = (family: IpFamily): fc.Arbitrary<VrrpAdvert> =>
  fc.record({
    version: fc.constant(3 as const),
    ...common(family),
    maxAdvertIntervalCs: fc.integer({ min: 1, max: 4095 }),
  });

/** Any valid (advert, ip header) pair. */
export const advertWithIp: fc.Arbitrary<{ advert: VrrpAdvert; ip: IpHeaderInfo; asV2: boolean }> = fc.oneof(
  fc.record({ advert: v2Advert, ip: ipHeader('ipv4'), asV2: fc.constant(false) }),
  fc.record({ advert: v3Advert('ipv4'), ip: ipHeader('ipv4'), asV2: fc.boolean() }),
  fc.record({ advert: v3Advert('ipv6'), ip: ipHeader('ipv6'), asV2: fc.constant(false) }),
);
