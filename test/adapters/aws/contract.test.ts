/** The VipProvider contract for the AWS adapter on our EC2 emulator (on moto: contract-moto.test.ts). */
import { vipProviderContract } from '../../contract/vip-provider.ts';
import { awsContractKinds, awsLab, members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

for (const [label, spec] of Object.entries(awsContractKinds))
  vipProviderContract(`aws ${label}`, async () => {
    const { ec2, provider } = await awsLab();
    return {
      provider,
      resource: { id: 'vip', provider: 'aws', kind: label.split(' ')[0] as string, spec },
      a,
      b,
      throttle: (n) => ec2.faults.inject('throttle', n),
      close: () => ec2.close(),
    };
  });
