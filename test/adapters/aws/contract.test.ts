import { vipProviderContract } from '../../contract/vip-provider.ts';
import { awsLab, members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

const kinds = {
  'elastic-ip': { allocationId: 'eipalloc-1' },
  'secondary-ip': { privateIp: '10.0.1.99' },
  'route (IPv4, 2 tables)': { routeTableIds: ['rtb-1', 'rtb-2'], destination: '10.9.9.9/32' },
  'route (IPv6, 2 tables)': { routeTableIds: ['rtb-1', 'rtb-2'], destination: 'fd00:9::9/128' },
};

for (const [label, spec] of Object.entries(kinds))
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
