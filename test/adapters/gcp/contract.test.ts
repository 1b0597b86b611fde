import { vipProviderContract } from '../../contract/vip-provider.ts';
import { after } from 'node:test';
import { closeSharedGcpLab, members, sharedGcpLab } from './fixture.ts';

after(closeSharedGcpLab);

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

const kinds = {
  'alias-ip': { ipCidrRange: '10.2.9.9/32' },
  'access-config': { natIp: '203.0.113.9' },
  route: { namePrefix: 'fip-vip', network: 'global/networks/default', destRange: '10.9.9.9/32' },
};

for (const [kind, spec] of Object.entries(kinds))
  vipProviderContract(`gcp ${kind}`, async () => {
    const { gce, provider } = await sharedGcpLab();
    return {
      provider,
      resource: { id: 'vip', provider: 'gcp', kind, spec },
      a,
      b,
      throttle: (n) => gce.faults.inject('throttle', n),
      close: async () => {},
    };
  });
