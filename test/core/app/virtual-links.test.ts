/** Setting up and tearing down use_vmac / use_ipvlan links through the port: order, rollback, reload. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../adapters/memory/index.ts';
import {
  addReloadedLinks,
  keepVirtualLinks,
  removeReloadedLinks,
  setUpVirtualLinks,
  tearDownVirtualLinks,
} from '../../../core/app/virtual-links.ts';
import type {
  LinkFact,
  LinkWatcher,
  VirtualLinkManager,
  VirtualLinkSpec,
} from '../../../core/ports/index.ts';

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

describe('keeping the links of a running plan', () => {
  /** A kernel with a few links, a watcher to tell about changes, and a manager that makes links there. */
  function host(names: string[], baseOk = () => true) {
    const present = new Set(names);
    const calls: string[] = [];
    let tell: ((name: string, up: boolean, removed: boolean) => void) | undefined;
    const watcher: LinkWatcher = {
      watch: (f) => {
        tell = f;
        return () => (tell = undefined);
      },
      close: () => undefined,
    };
    const m: VirtualLinkManager = {
      list: () => Promise.resolve([...present].map((name): LinkFact => ({ name, up: true, addresses: [] }))),
      set: (s) => {
        calls.push(`set ${s.name} ${s.action}`);
        if (!baseOk()) return Promise.reject(new Error(`no interface ${s.base}`));
        present.add(s.name);
        return Promise.resolve();
      },
      remove: () => Promise.resolve(),
      removeStale: () => Promise.resolve([]),
      close: () => undefined,
    };
    const settle = () => new Promise((r) => setTimeout(r, 5));
    const del = (name: string) => {
      present.delete(name);
      tell?.(name, false, true);
    };
    return {
      m,
      watcher,
      calls,
      present,
      settle,
      del,
      tell: (n: string, up: boolean) => tell?.(n, up, false),
    };
  }

  it('a planned link deleted under the instance is made again (as a new link); other deletions are ignored', async () => {
    const h = host(['eth0', 'vrrp.51', 'dummy0']);
    const keeper = keepVirtualLinks(
      h.m,
      h.watcher,
      () => [spec('vrrp.51', { action: 'reuse' })],
      silentLogger,
    );
    h.del('dummy0');
    h.del('vrrp.51');
    await h.settle();
    assert.deepEqual(h.calls, ['set vrrp.51 create']);
    assert.ok(h.present.has('vrrp.51'));
    keeper.stop();
    h.del('vrrp.51');
    await h.settle();
    assert.equal(h.calls.length, 1, 'stopped: nothing more');
  });

  it('paused during a reload; resuming makes what went missing meanwhile', async () => {
    const h = host(['eth0', 'vrrp.51']);
    const keeper = keepVirtualLinks(h.m, h.watcher, () => [spec('vrrp.51')], silentLogger);
    keeper.pause();
    h.del('vrrp.51');
    await h.settle();
    assert.deepEqual(h.calls, []);
    await keeper.resume();
    assert.deepEqual(h.calls, ['set vrrp.51 create']);
    keeper.stop();
  });

  it('without its base the link waits: it is made when the base is up again', async () => {
    let base = false;
    const h = host(['vrrp.51'], () => base);
    const keeper = keepVirtualLinks(h.m, h.watcher, () => [spec('vrrp.51')], silentLogger);
    h.del('vrrp.51');
    await h.settle();
    assert.deepEqual(h.calls, ['set vrrp.51 create']);
    assert.ok(!h.present.has('vrrp.51'));
    base = true;
    h.tell('eth0', true);
    await h.settle();
    assert.deepEqual(h.calls, ['set vrrp.51 create', 'set vrrp.51 create']);
    assert.ok(h.present.has('vrrp.51'));
    keeper.stop();
  });
});
