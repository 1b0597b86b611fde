/** Setting up and tearing down use_vmac / use_ipvlan links through the port: order, rollback, reload. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../adapters/memory/index.ts';
import {
  addReloadedLinks,
  removeReloadedLinks,
  setUpVirtualLinks,
  tearDownVirtualLinks,
} from '../../../core/app/virtual-links.ts';
import type { VirtualLinkManager, VirtualLinkSpec } from '../../../core/ports/index.ts';

const spec = (name: string, o: Partial<VirtualLinkSpec> = {}): VirtualLinkSpec => ({
  instance: `I_${name}`,
  kind: 'macvlan',
  name,
  base: 'eth0',
  mac: '00:00:5e:00:01:33',
  action: 'create',
  family: 'ipv4',
  ipv6: false,
  ...o,
});

function recorder(failOn?: string) {
  const calls: string[] = [];
  const m: VirtualLinkManager = {
    list: () => Promise.resolve([]),
    set: (s) => {
      calls.push(`set ${s.name}`);
      return s.name === failOn
        ? Promise.reject(new Error(`create macvlan ${s.name} on eth0: EPERM`))
        : Promise.resolve();
    },
    remove: (s) => {
      calls.push(`remove ${s.name}`);
      return s.name === failOn ? Promise.reject(new Error('gone wrong')) : Promise.resolve();
    },
    removeStale: (keep) => {
      calls.push(`stale keep=${keep.join(',')}`);
      return Promise.resolve([]);
    },
    close: () => undefined,
  };
  return { m, calls };
}

describe('virtual links use case', () => {
  it('start: stale ones first, then each link in order', async () => {
    const { m, calls } = recorder();
    await setUpVirtualLinks(m, [spec('a'), spec('b')], silentLogger);
    assert.deepEqual(calls, ['stale keep=a,b', 'set a', 'set b']);
  });
  it('a failing link: the error names the instance and the step, and the links made so far go again', async () => {
    const { m, calls } = recorder('c');
    await assert.rejects(
      setUpVirtualLinks(m, [spec('a'), spec('b'), spec('c')], silentLogger),
      /vrrp_instance I_c: create macvlan c on eth0: EPERM/,
    );
    assert.deepEqual(calls, [
      'stale keep=a,b,c',
      'set a',
      'set b',
      'set c',
      'remove c',
      'remove b',
      'remove a',
    ]);
  });
  it('stop: every link is removed even when one fails', async () => {
    const { m, calls } = recorder('a');
    await tearDownVirtualLinks(m, [spec('a'), spec('b')], silentLogger);
    assert.deepEqual(calls, ['remove a', 'remove b']);
  });
  it('reload: new or changed links before the move, dropped ones after; unchanged ones untouched', async () => {
    const before = [spec('keep'), spec('drop'), spec('change')];
    const after = [
      spec('keep', { action: 'reuse' }),
      spec('change', { mac: '02:00:00:00:00:01' }),
      spec('new'),
    ];
    const { m, calls } = recorder();
    await addReloadedLinks(m, before, after, silentLogger);
    assert.deepEqual(calls, ['set change', 'set new']);
    calls.length = 0;
    await removeReloadedLinks(m, before, after, silentLogger);
    assert.deepEqual(calls, ['remove drop']);
  });
});
