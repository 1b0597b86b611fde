// @needs root iproute2 iputils-ping
/** The lab helper itself: topology, cleanup of processes and namespaces, and the stale-lab sweeper. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LAB_PREFIX, createLab, sweepStaleLabs } from './netns.ts';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describe('netns lab helper', () => {
  it('builds directors, client and real servers on one segment and removes everything on destroy', async () => {
    const lab = createLab({ directors: 3, realServers: 1, client: true });
    let sleeper: ReturnType<typeof lab.spawn> | undefined;
    try {
      assert.deepEqual(Object.keys(lab.nodes).sort(), ['c', 'd1', 'd2', 'd3', 'r1']);
      assert.ok(lab.exec('c', ['ping', '-c', '1', '-W', '2', '10.99.0.201']).includes(' 0% packet loss'));
      assert.ok(
        lab.exec('d3', ['ping', '-6', '-c', '1', '-W', '2', 'fd00:99::b']).includes(' 0% packet loss'),
      );
      lab.setLink('d1', false);
      assert.ok(
        !lab.exec('c', ['ping', '-c', '1', '-W', '1', '10.99.0.11'], { allowFail: true }).includes(' 0% '),
      );
      sleeper = lab.spawn('d2', ['sleep', '60']);
      assert.ok(namespaces().includes(`${LAB_PREFIX}${lab.id}-d2`));
    } finally {
      lab.destroy();
    }
    assert.ok(!namespaces().includes(lab.id), 'no namespace of the lab is left');
    const child = sleeper;
    assert.ok(child);
    const signal = await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(child.signalCode)
        : child.once('exit', (_code, sig) => resolve(sig)),
    );
    assert.equal(signal, 'SIGKILL', 'processes in the lab were killed');
    lab.destroy();
  });

  it('sweeps namespaces of this prefix whose creating process is gone, and only those', () => {
    const stale = `${LAB_PREFIX}999999-dead00-d1`;
    const live = `${LAB_PREFIX}${process.pid}-live00-d1`;
    execFileSync('ip', ['netns', 'add', stale]);
    execFileSync('ip', ['netns', 'add', live]);
    try {
      const removed = sweepStaleLabs();
      assert.ok(removed.includes(stale));
      assert.ok(!removed.includes(live));
      assert.ok(!namespaces().includes(stale));
      assert.ok(namespaces().includes(live));
    } finally {
      execFileSync('ip', ['netns', 'delete', live]);
      execFileSync('sh', ['-c', `ip netns delete ${stale} 2>/dev/null || true`]);
    }
  });
});
