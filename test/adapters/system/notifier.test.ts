/**
 * Notify hooks run with keepalived's arguments, one at a time and in order (a slow MASTER handler finishes
 * before the BACKUP handler starts), with a timeout, and FIFO lines in keepalived's format.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Notifier } from '../../../adapters/system/notifier.ts';
import { fifoLine, notifyArgv, stateNotifier } from '../../../core/app/notify.ts';

describe('Notifier', () => {
  let dir = '';
  const warnings: string[] = [];
  const log = (_level: 'info' | 'warn', m: string) => warnings.push(m);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-notify-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return path;
  };

  it('formats arguments and FIFO lines as keepalived does', () => {
    const e = { kind: 'INSTANCE' as const, name: 'VI_1', state: 'MASTER', priority: 150, hooks: {} };
    assert.deepEqual(notifyArgv({ argv: ['/x', 'a'] }, e), ['/x', 'a', 'INSTANCE', 'VI_1', 'MASTER', '150']);
    assert.deepEqual(notifyArgv({ argv: ['/x'] }, { ...e, kind: 'GROUP', name: 'G' }), [
      '/x',
      'GROUP',
      'G',
      'MASTER',
      '0',
    ]);
    assert.equal(fifoLine(e), 'INSTANCE "VI_1" MASTER 150\n');
  });

  it('runs notify_<state> then notify, each awaited, never two at once, in the order given', async () => {
    const out = join(dir, 'order.log');
    const slow = script(
      'slow-master.sh',
      `echo master-start >> ${out}; sleep 0.3; echo "master-end" >> ${out}`,
    );
    const backup = script('backup.sh', `echo backup >> ${out}`);
    const generic = script('generic.sh', `echo "notify $*" >> ${out}`);
    const n = new Notifier({ fifos: [], scriptTimeoutSec: 5, stopTimeoutSec: 1, log });
    const hooks = {
      notifyMaster: { argv: [slow] },
      notifyBackup: { argv: [backup] },
      notify: { argv: [generic] },
    };
    void n.notify({ kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 150, hooks });
    void n.notify({ kind: 'INSTANCE', name: 'VI_1', state: 'BACKUP', priority: 150, hooks });
    await n.idle();
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [
      'master-start',
      'master-end',
      'notify INSTANCE VI_1 MASTER 150',
      'backup',
      'notify INSTANCE VI_1 BACKUP 150',
    ]);
    await n.close();
  });

  it('terminates a script that overruns its timeout and carries on with the next', async () => {
    const out = join(dir, 'timeout.log');
    const hang = script('hang.sh', `echo start >> ${out}; exec sleep 30`);
    const next = script('next.sh', `echo next >> ${out}`);
    const n = new Notifier({ fifos: [], scriptTimeoutSec: 0.2, stopTimeoutSec: 0.2, log });
    void n.notify({
      kind: 'INSTANCE',
      name: 'A',
      state: 'FAULT',
      priority: 1,
      hooks: { notifyFault: { argv: [hang] } },
    });
    void n.notify({
      kind: 'INSTANCE',
      name: 'A',
      state: 'STOP',
      priority: 1,
      hooks: { notifyStop: { argv: [next] } },
    });
    await n.idle();
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), ['start', 'next']);
    assert.ok(warnings.some((w) => /ran over 0.2 s/.test(w)));
    await n.close();
  });

  it('writes every event to the FIFO, scripts only for state changes', async () => {
    const fifo = join(dir, 'events.fifo');
    execFileSync('mkfifo', [fifo]);
    const out = join(dir, 'events.log');
    const generic = script('events.sh', `echo "$*" >> ${out}`);
    const n = new Notifier({ fifos: [fifo], scriptTimeoutSec: 5, stopTimeoutSec: 1, log });
    const port = stateNotifier(n, (key) =>
      key === 'instance:VI_1' ? { notify: { argv: [generic] } } : undefined,
    );
    port.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER', priority: 150 });
    port.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER_RX_LOWER_PRI', priority: 150 });
    port.notify({ target: { type: 'group', name: 'G1' }, what: 'MASTER', priority: 0 });
    await port.idle();
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.alloc(4096);
    const n2 = readSync(fd, buf);
    closeSync(fd);
    assert.equal(
      buf.subarray(0, n2).toString(),
      'INSTANCE "VI_1" MASTER 150\nINSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\nGROUP "G1" MASTER 0\n',
    );
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), ['INSTANCE VI_1 MASTER 150']);
    await n.close();
  });

  it('runs notify_master_rx_lower_pri for that event only, without the generic notify', async () => {
    const out = join(dir, 'lower.log');
    const lower = script('lower.sh', `echo "lower $*" >> ${out}`);
    const generic = script('generic2.sh', `echo "notify $*" >> ${out}`);
    const n = new Notifier({ fifos: [], scriptTimeoutSec: 5, stopTimeoutSec: 1, log });
    const port = stateNotifier(n, () => ({
      notify: { argv: [generic] },
      notifyMasterRxLowerPri: { argv: [lower] },
    }));
    port.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER_RX_LOWER_PRI', priority: 150 });
    port.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER_PRIORITY', priority: 120 });
    await port.idle();
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), ['lower']);
    await n.close();
  });
});
