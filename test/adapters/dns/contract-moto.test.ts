// @needs moto
/**
 * The VipProvider contract for the Route 53 adapter against moto, a peer we did not write (the same suite
 * runs against our emulator in contract.test.ts). One moto_server per file, reset before each case and
 * a hosted zone made through the real SDK; test/helpers/moto.ts lists where the relay corrects moto.
 */
import { after } from 'node:test';
import { DnsVipProvider } from '../../../adapters/dns/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { vipProviderContract } from '../../contract/vip-provider.ts';
import { motoCredentials, seedZone, startMoto, type Moto } from '../../helpers/moto.ts';
import { testPolicy } from '../aws/fixture.ts';
import { members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

let moto: Promise<Moto> | undefined;
after(async () => {
  if (moto) await (await moto).close();
});

vipProviderContract('dns record on moto', async () => {
  const m = await (moto ??= startMoto());
  await m.reset();
  const seed = await seedZone(m);
  const provider = new DnsVipProvider({
    endpoint: m.url,
    credentials: motoCredentials,
    members,
    policy: testPolicy,
    random: seededRandom(3),
  });
  return {
    provider,
    resource: {
      id: 'vip',
      provider: 'dns',
      kind: 'record',
      spec: { hostedZoneId: seed.hostedZoneId, name: `vip.${seed.zone}`, type: 'A' },
    },
    a,
    b,
    throttle: (n) => m.throttle(n),
    close: () => Promise.resolve(),
  };
});
