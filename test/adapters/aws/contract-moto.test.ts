// @needs moto
/**
 * The VipProvider contract for the AWS adapter against moto, a peer we did not write (the same suite
 * runs against our emulator in contract.test.ts). One moto_server per file, reset and seeded through the
 * real SDK before each case; test/helpers/moto.ts lists where the relay corrects moto towards AWS.
 */
import { after } from 'node:test';
import { AwsVipProvider } from '../../../adapters/aws/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { vipProviderContract } from '../../contract/vip-provider.ts';
import { motoCredentials, seedAws, startMoto, type AwsSeed, type Moto } from '../../helpers/moto.ts';
import { awsContractKinds, testPolicy } from './fixture.ts';

let moto: Promise<Moto> | undefined;
after(async () => {
  if (moto) await (await moto).close();
});

const idsOf = (s: AwsSeed): Record<string, string> => ({
  'eipalloc-1': s.allocationId,
  'rtb-1': s.routeTableIds[0],
  'rtb-2': s.routeTableIds[1],
});
/** The emulator's ids in a spec, replaced by moto's. */
const withIds = (spec: Record<string, unknown>, ids: Record<string, string>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(spec), (_k, v: unknown) => (typeof v === 'string' ? (ids[v] ?? v) : v)) as Record<
    string,
    unknown
  >;

for (const [label, spec] of Object.entries(awsContractKinds))
  vipProviderContract(`aws on moto ${label}`, async () => {
    const m = await (moto ??= startMoto());
    await m.reset();
    const seed = await seedAws(m);
    const members = [
      { id: 'a', spec: { networkInterfaceId: seed.enis.a } },
      { id: 'b', spec: { networkInterfaceId: seed.enis.b } },
    ] as const;
    const provider = new AwsVipProvider({
      region: 'us-east-1',
      endpoint: m.url,
      credentials: motoCredentials,
      members,
      policy: testPolicy,
      random: seededRandom(7),
    });
    return {
      provider,
      resource: {
        id: 'vip',
        provider: 'aws',
        kind: label.split(' ')[0] as string,
        spec: withIds(spec, idsOf(seed)),
      },
      a: members[0],
      b: members[1],
      throttle: (n) => m.throttle(n),
      close: () => Promise.resolve(),
    };
  });
