/**
 * The Azure NVA lab in the ARM emulator, as the adapter, control-plane and Functions-artifact tests seed
 * it: two NICs in resource group `rg` (nic-a 10.1.0.4, nic-b 10.1.0.5), the route `vip` (10.9.0.10/32)
 * in table rt-1, and the control-plane group `nva` that moves that route between them.
 */
import { armSubscription, type ArmEmulator, type ArmRoute } from '../emulators/arm.ts';

const subnet = {
  id: `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
};

/** nic-a (10.1.0.4) and nic-b (10.1.0.5) in rg, each with one static primary ipconfig. */
export function addNvaNics(arm: ArmEmulator): void {
  for (const [name, ip] of [
    ['nic-a', '10.1.0.4'],
    ['nic-b', '10.1.0.5'],
  ] as const)
    arm.addNic('rg', name, [
      { name: 'ipconfig1', privateIPAddress: ip, privateIPAllocationMethod: 'Static', primary: true, subnet },
    ]);
}

/** Table rg/rt-1 with `others` and then the route `vip` (10.9.0.10/32) whose next hop is nic-a's address. */
export function addNvaRouteTable(arm: ArmEmulator, others: ArmRoute[] = []): void {
  arm.addTable('rg', 'rt-1', [
    ...others,
    {
      name: 'vip',
      addressPrefix: '10.9.0.10/32',
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: '10.1.0.4',
    },
  ]);
}

/** The control-plane config group `nva`: members a (nic-a) and b (nic-b), the route `vip` of rt-1. */
export const nvaGroup = {
  id: 'nva',
  members: {
    a: {
      priority: 200,
      azure: { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic-a' } },
    },
    b: {
      priority: 100,
      azure: { privateIp: '10.1.0.5', networkInterface: { resourceGroup: 'rg', name: 'nic-b' } },
    },
  },
  resources: [
    {
      id: 'nva-route',
      provider: 'azure',
      kind: 'route',
      spec: {
        routeTables: [{ resourceGroup: 'rg', name: 'rt-1' }],
        route: 'vip',
        addressPrefix: '10.9.0.10/32',
      },
    },
  ],
};
