// The LVS side translates checkers with core/health's shared translation: FILE_CHECK reads the file its
// track_file names (not a file called like the track_file), and UDP_CHECK without require_reply needs a
// reply (floatip's default: a silent server is down). Real probes: a real file, real UDP sockets on
// loopback; the data plane is an in-memory table (no IPVS needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeepalived } from '../../../core/config/index.ts';
import { createProbeRunner } from '../../../adapters/probes/index.ts';
import { seededRandom, silentLogger } from '../../../adapters/memory/index.ts';
import { MemoryDataplane } from '../../helpers/memory-dataplane.ts';
import { createLvs } from '../../../functions/agent/lvs.ts';

const quiet = silentLogger;

test('FILE_CHECK reads the track_file path; a silent UDP server is down', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-lvs-chk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rs-state');
  writeFileSync(file, '0\n');
  const silent = createSocket('udp4');
  const replying = createSocket('udp4');
  t.after(() => {
    silent.close();
    replying.close();
  });
  replying.on('message', (_m, from) => replying.send('ok', from.port, from.address));
  await Promise.all([
    new Promise<void>((r) => silent.bind(0, '127.0.0.1', r)),
    new Promise<void>((r) => replying.bind(0, '127.0.0.1', r)),
  ]);
  const conf = `
track_file rs_file {
    file "${file}"
}
virtual_server 10.0.0.100 53 {
    lb_algo rr
    lb_kind NAT
    protocol UDP
    delay_loop 1
    real_server 127.0.0.1 ${silent.address().port} {
        UDP_CHECK {
            connect_timeout 0.2
            retry 0
            payload 00
        }
    }
    real_server 127.0.0.1 ${replying.address().port} {
        UDP_CHECK {
            connect_timeout 0.2
            retry 0
            payload 00
        }
    }
    real_server 127.0.0.2 53 {
        FILE_CHECK {
            track_file rs_file
        }
    }
}
`;
  const parsed = parseKeepalived(conf, { file: 'k.conf' });
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.diagnostics));
  const plane = new MemoryDataplane();
  const lvs = createLvs({
    config: parsed.config,
    dataplane: plane,
    probe: createProbeRunner(),
    random: seededRandom(1),
    log: quiet,
  });
  await lvs.start();
  t.after(() => lvs.stop());
  const live = () =>
    (plane.table.services[0]?.destinations ?? [])
      .filter((d) => d.weight > 0)
      .map((d) => `${d.addr}:${d.port}`)
      .sort();
  const want = [`127.0.0.1:${replying.address().port}`, '127.0.0.2:53'].sort();
  // Every checker has run at least twice by then (start-up 1 s + warmup, delay_loop 1 s).
  for (let i = 0; i < 150 && JSON.stringify(live()) !== JSON.stringify(want); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(live(), want);
});
