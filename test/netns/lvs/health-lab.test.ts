// @needs root iproute2 nftables
// Issue 4 acceptance, health side: the seed guides' NAT lab driven by the agent's LVS side running in the
// director namespace with the real HTTP_GET checker (adapters/probes), the health verdict reducer
// (core/health), the pool rules (core/lb/rules) and the nftables data plane. Stopping a real server's web
// service takes it out of the pool and no request fails after that; starting it puts it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servedLvsLab, lvsLabAddrs, startLvsDirector } from '../../helpers/netns-lvs.ts';

const conf = `
virtual_server ${lvsLabAddrs.vip} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${lvsLabAddrs.r1} ${lvsLabAddrs.rsPort} {
        weight 1
        notify_up "NOTIFY up r1"
        notify_down "NOTIFY down r1"
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            nb_get_retry 1
            delay_before_retry 1
        }
    }
    real_server ${lvsLabAddrs.r2} ${lvsLabAddrs.rsPort} {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            nb_get_retry 1
            delay_before_retry 1
        }
    }
}
`;

const readNotified = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** Waits for a condition; the bound turns a hang into a failure and asserts no timing. */
async function until(ok: () => boolean, boundMs = 10_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 100) {
    if (waited > boundMs) throw new Error('condition never became true');
    await sleep(100);
  }
}

const r1 = `${lvsLabAddrs.r1}:${lvsLabAddrs.rsPort}=1`;
const r2 = `${lvsLabAddrs.r2}:${lvsLabAddrs.rsPort}=1`;
const dests = (e: Record<string, unknown>): string => JSON.stringify(e.dests);

test('HTTP_GET takes a stopped real server out and puts it back; no request fails once it is out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-lvs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lab = await servedLvsLab(t);
  const path = join(dir, 'keepalived.conf');
  const notify = join(dir, 'notify.sh');
  const notified = join(dir, 'notified.log');
  writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${notified}\n`, { mode: 0o755 });
  const text = conf.replaceAll('NOTIFY', notify);
  writeFileSync(path, text);
  const director = startLvsDirector(lab, path);
  t.after(() => director.stop());

  const started = await director.waitFor((e) => e.event === 'started', 'start');
  assert.equal(started.plane, 'nftables');
  assert.match(String(started.reason), /no IPVS \(ip_vs module not loaded\)/);
  await director.waitFor(
    (e) => e.event === 'applied' && dests(e) === JSON.stringify([r1, r2]),
    'both servers',
  );
  const before = lab.requests(6);
  assert.deepEqual(new Set(before), new Set(['r1', 'r2']), JSON.stringify(before));

  await lab.stopServer('r1');
  await director.waitFor((e) => e.event === 'applied' && dests(e) === JSON.stringify([r2]), 'r1 taken out');
  const during = lab.requests(10);
  await until(() => readNotified(notified).includes('down r1'));
  assert.deepEqual(readNotified(notified), ['down r1'], 'notify_down ran once');
  assert.deepEqual(during, new Array(10).fill('r2'), 'every request succeeds, on r2');

  await lab.startServer('r1');
  const appliedBefore = director.events.filter((e) => e.event === 'applied').length;
  await director.waitFor(
    (e) =>
      e.event === 'applied' &&
      dests(e) === JSON.stringify([r1, r2]) &&
      director.events.indexOf(e) >= appliedBefore,
    'r1 back',
  );
  const after = lab.requests(6);
  await until(() => readNotified(notified).includes('up r1'));
  assert.deepEqual(readNotified(notified), ['down r1', 'up r1'], 'notify_up ran once');
  assert.deepEqual(new Set(after), new Set(['r1', 'r2']), JSON.stringify(after));
  assert.ok(
    after.every((b) => !b.startsWith('ERR')),
    JSON.stringify(after),
  );

  // SIGHUP with r1 at weight 3 under wrr: one edit, health state kept, traffic follows the weights.
  writeFileSync(path, text.replace('lb_algo rr', 'lb_algo wrr').replace('weight 1', 'weight 3'));
  const n = director.events.length;
  director.reload();
  const r1w3 = `${lvsLabAddrs.r1}:${lvsLabAddrs.rsPort}=3`;
  await director.waitFor(
    (e) =>
      director.events.indexOf(e) >= n && e.event === 'applied' && dests(e) === JSON.stringify([r1w3, r2]),
    'the reloaded weights',
  );
  const weighted = lab.requests(8);
  assert.equal(weighted.filter((b) => b === 'r1').length, 6, JSON.stringify(weighted));

  await director.stop();
  const left = lab.exec(lab.ns.d, ['nft', 'list', 'table', 'ip', 'floatip_lvs']);
  assert.doesNotMatch(left, /chain vs_|dnat/, `shutdown removes every virtual service: ${left}`);
});

test('quorum lost: the sorry server takes the traffic and quorum_down runs; quorum back: the reverse', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fip-lvs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lab = await servedLvsLab(t);
  const notify = join(dir, 'notify.sh');
  const notified = join(dir, 'notified.log');
  writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${notified}\n`, { mode: 0o755 });
  const path = join(dir, 'keepalived.conf');
  writeFileSync(
    path,
    `virtual_server ${lvsLabAddrs.vip} 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    quorum 1
    quorum_up "${notify} quorum up"
    quorum_down "${notify} quorum down"
    sorry_server ${lvsLabAddrs.r2} ${lvsLabAddrs.rsPort}
    real_server ${lvsLabAddrs.r1} ${lvsLabAddrs.rsPort} {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
`,
  );
  const director = startLvsDirector(lab, path);
  t.after(() => director.stop());
  await director.waitFor((e) => e.event === 'applied' && dests(e) === JSON.stringify([r1]), 'r1 alone');
  assert.deepEqual(lab.requests(3), ['r1', 'r1', 'r1']);

  await lab.stopServer('r1');
  await director.waitFor(
    (e) => e.event === 'applied' && dests(e) === JSON.stringify([r2]),
    'the sorry server',
  );
  assert.deepEqual(lab.requests(3), ['r2', 'r2', 'r2'], 'the sorry server answers, no request fails');
  await until(() => readNotified(notified).includes('quorum down'));

  await lab.startServer('r1');
  const n = director.events.length;
  await director.waitFor(
    (e) => director.events.indexOf(e) >= n && e.event === 'applied' && dests(e) === JSON.stringify([r1]),
    'quorum back',
  );
  assert.deepEqual(lab.requests(3), ['r1', 'r1', 'r1']);
  await until(() => readNotified(notified).includes('quorum up'));
  assert.deepEqual(readNotified(notified), ['quorum down', 'quorum up']);
});
