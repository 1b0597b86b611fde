// Builders for simulated nodes: one instance (or a sync group) per node on 10.0.0.0/24.
import assert from 'node:assert/strict';
import { makeInstanceSpec, type InstanceSpecInput, type VrrpInstanceSpec } from '../../core/vrrp/index.ts';
import type { SimNodeSpec } from './simulation.ts';

export function instance(
  over: Partial<InstanceSpecInput> & Pick<InstanceSpecInput, 'sourceIp'>,
): VrrpInstanceSpec {
  const r = makeInstanceSpec({ name: 'VI_1', vrid: 51, vips: ['10.0.0.100'], ...over });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.spec;
}

/** A node `name` at 10.0.0.<host> running one instance VI_1 with the given settings. */
export function node(name: string, host: number, over: Partial<InstanceSpecInput> = {}): SimNodeSpec {
  const address = `10.0.0.${host}`;
  return { name, address, router: { instances: [instance({ sourceIp: address, ...over })] } };
}
