// @needs openssl
import { vipProviderContract } from '../../contract/vip-provider.ts';
import { azureLab, members, pipId } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

const kinds = {
  route: {
    routeTables: [
      { resourceGroup: 'rg', name: 'rt-1' },
      { resourceGroup: 'rg', name: 'rt-2' },
    ],
    route: 'vip',
    addressPrefix: '10.9.9.9/32',
  },
  'public-ip': { publicIpId: pipId },
  'secondary-ip': { privateIp: '10.1.0.99', ipConfigurationName: 'vip' },
};

for (const [kind, spec] of Object.entries(kinds))
  vipProviderContract(`azure ${kind}`, async () => {
    const { arm, provider } = await azureLab();
    return {
      provider,
      resource: { id: 'vip', provider: 'azure', kind, spec },
      a,
      b,
      throttle: (n) => arm.faults.inject('throttle', n),
      close: () => arm.close(),
    };
  });
