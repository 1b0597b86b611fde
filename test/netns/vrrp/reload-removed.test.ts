// @needs root iproute2 keepalived
/**
 * An instance removed by a SIGHUP reload is notified as keepalived does (keepalived.md §1, clear_diff_vrrp):
 * FAULT by default (`notify … INSTANCE X FAULT prio` and the FIFO line, but not notify_fault: keepalived
 * picks the state's own script while the state still reads DELETED), DELETED with `notify_deleted [CMD]`
 * (CMD, then notify, then the FIFO), and nothing for an instance that was already in FAULT.
 * The same scenario runs against the real keepalived 2.2.7 and floatip; both must write the same lines.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drainFifo } from '../../helpers/fifo.ts';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip } from './lib/floatip.ts';
import { startKeepalived } from './lib/keepalived.ts';

const fifoLines = (path: string): string[] =>
  drainFifo(path)
    .split('\n')
    .filter((l) => l !== '');

function config(dir: string, removed: boolean): string {
  const sh = join(dir, 'notify.sh');
  const instance = (name: string, vrid: number, priority: number, extra: string) => `
vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
    notify "${sh}"
    notify_fault "${sh} fault-own ${name}"
${extra}
    virtual_ipaddress {
        10.99.0.${vrid + 100}/24
    }
}`;
  return `global_defs {
    vrrp_notify_fifo ${join(dir, 'vrrp.fifo')}
}
vrrp_script down {
    script "${join(dir, 'fail.sh')}"
    interval 1
}
${instance('VI_KEEP', 60, 100, '')}
${
  removed
    ? ''
    : `${instance('VI_1', 61, 101, `    notify_deleted "${sh} deleted-own VI_1"`)}
${instance('VI_2', 62, 102, '')}
${instance('VI_3', 63, 103, '    track_script {\n        down\n    }')}`
}
`;
}

describe('instances removed on reload: FAULT by default, DELETED with notify_deleted (floatip = keepalived)', () => {
  let lab: Lab;
  const dirs: string[] = [];
  before(() => {
    assertLabPrerequisites(['mkfifo', 'keepalived']);
    lab = createLab({ directors: 1, client: false });
  });
  after(() => {
    lab?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const scenario = async (daemon: 'floatip' | 'keepalived') => {
    const dir = mkdtempSync(join(tmpdir(), `fip-vrrp-removed-${daemon}-`));
    dirs.push(dir);
    const logFile = join(dir, 'notify.log');
    writeFileSync(join(dir, 'notify.sh'), `#!/bin/sh\necho "$*" >> ${logFile}\n`);
    writeFileSync(join(dir, 'fail.sh'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'notify.sh'), 0o755);
    chmodSync(join(dir, 'fail.sh'), 0o755);
    execFileSync('mkfifo', [join(dir, 'vrrp.fifo')]);
    const lines = () =>
      existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : [];
    const has = (line: string) => (lines().includes(line) ? true : undefined);

    const running =
      daemon === 'floatip'
        ? startFloatip(lab, 'd1', config(dir, false))
        : startKeepalived(lab, 'd1', config(dir, false));
    try {
      // both removable instances win (no other router), the tracked one sits in FAULT
      await waitFor(
        `${daemon}: VI_1 and VI_2 MASTER`,
        () =>
          has('INSTANCE VI_1 MASTER 101') &&
          has('INSTANCE VI_2 MASTER 102') &&
          has('INSTANCE VI_3 FAULT 103') &&
          has('INSTANCE VI_KEEP MASTER 100')
            ? true
            : undefined,
        30_000,
        50,
      );
      // The FIFO lines of those transitions may trail the notify log (floatip writes a state's FIFO line
      // once its notify script has exited): drain until all four are in, so none leaks into the reload's.
      let startup = '';
      await waitFor(
        `${daemon}: the start-up FIFO lines`,
        () => {
          startup += drainFifo(join(dir, 'vrrp.fifo'));
          return ['VI_1" MASTER', 'VI_2" MASTER', 'VI_3" FAULT', 'VI_KEEP" MASTER'].every((l) =>
            startup.includes(l),
          )
            ? true
            : undefined;
        },
        30_000,
        50,
      );
      writeFileSync(logFile, '');
      writeFileSync(running.configPath, config(dir, true));
      running.process.kill('SIGHUP');
      await waitFor(
        `${daemon}: the removal notifies`,
        () => (lines().length >= 3 ? true : undefined),
        30_000,
        50,
      );
      // a third instance's notify would follow at once; give it a moment to show up if it (wrongly) does
      await new Promise((r) => setTimeout(r, 1500));
      return { log: lines().sort(), fifo: fifoLines(join(dir, 'vrrp.fifo')).sort(), out: running.log() };
    } finally {
      if ('cleanup' in running) {
        await running.stop();
        running.cleanup();
      } else await running.stop();
    }
  };

  it('writes the same notify arguments and FIFO lines as keepalived 2.2.7', async () => {
    const want = {
      // keepalived runs no notify_fault for a removed instance: only `notify … FAULT` and the FIFO
      log: ['INSTANCE VI_1 DELETED 101', 'INSTANCE VI_2 FAULT 102', 'deleted-own VI_1'],
      fifo: ['INSTANCE "VI_1" DELETED 101', 'INSTANCE "VI_2" FAULT 102'],
    };
    const ka = await scenario('keepalived');
    assert.deepEqual({ log: ka.log, fifo: ka.fifo }, want, `keepalived:\n${ka.out}`);
    const fip = await scenario('floatip');
    assert.deepEqual({ log: fip.log, fifo: fip.fifo }, want, `floatip:\n${fip.out}`);
  });
});
