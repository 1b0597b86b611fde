import { vipProviderContract } from '../../contract/vip-provider.ts';
import { dnsLab, members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

vipProviderContract('dns record', async () => {
  const { r53, provider } = await dnsLab();
  return {
    provider,
    resource: {
      id: 'vip',
      provider: 'dns',
      kind: 'record',
      spec: { hostedZoneId: 'Z0FIPTEST', name: 'vip.example.com', type: 'A' },
    },
    a,
    b,
    throttle: (n) => r53.faults.inject('throttle', n),
    close: () => r53.close(),
  };
});
