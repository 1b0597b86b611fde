// @needs root iproute2 nftables
// `floatip agent --metrics HOST:PORT` serves Prometheus metrics: a real agent in a namespace of its own
// (a unicast VRRP instance that becomes MASTER, a virtual server whose one real server is down) is
// scraped over HTTP, and the figures must say what happened: state MASTER, adverts sent, the transition,
// the real server down (and the change counted), the data plane's apply time, Node's process metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentNamespace } from '../../helpers/netns-lvs.ts';

const conf = `
vrrp_instance VI_M {
    state BACKUP
    interface v0
    virtual_router_id 62
    priority 100
    advert_int 0.2
    version 3
    unicast_src_ip 10.56.0.1
    unicast_peer {
        10.56.0.2
    }
    virtual_ipaddress {
        10.56.0.100/24 dev v0
    }
}

virtual_server 10.56.0.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 1 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
`;

/** One GET of the metrics page from inside the namespace (the listener is bound there). */
function scrape(ns: string, port: number): string {
  return execFileSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      `fetch("http://127.0.0.1:${port}/metrics").then(async (r) => process.stdout.write(r.status + "\\n" + await r.text()))`,
    ],
    { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('a running agent serves its VRRP and LVS figures on /metrics', async (t) => {
  const { ns, dir } = agentNamespace(t, 'metrics', '10.56.0.1/24');
  writeFileSync(join(dir, 'keepalived.conf'), conf);
  const port = 19_650 + (process.pid % 1000);
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      'bin/floatip.mjs',
      'agent',
      '--config',
      join(dir, 'keepalived.conf'),
      '--socket',
      join(dir, 'agent.sock'),
      '--metrics',
      `127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });

  // MASTER after 3 × 0.2 s + skew; the real server is down after its first failed check (≈ 2 s).
  let text = '';
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      text = scrape(ns, port);
    } catch {
      text = '';
    }
    const master = value(text, 'floatip_vrrp_state{instance="VI_M",state="MASTER"}');
    const down = value(text, 'floatip_lvs_real_server_changes_total{to="down"}');
    if (master === 1 && down === 1) break;
    if (Date.now() > deadline)
      assert.fail(`metrics never showed MASTER and the server down:\n${text}\n${out}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.match(text, /^200\n/);
  assert.equal(value(text, 'floatip_vrrp_state{instance="VI_M",state="BACKUP"}'), 0);
  assert.ok((value(text, 'floatip_vrrp_adverts_sent_total{instance="VI_M"}') ?? 0) > 0, text);
  assert.equal(value(text, 'floatip_vrrp_transitions_total{instance="VI_M",to="MASTER"}'), 1);
  assert.equal(value(text, 'floatip_vrrp_priority{instance="VI_M"}'), 100);
  assert.equal(
    value(text, 'floatip_lvs_real_server_up{virtual_server="TCP 10.56.0.100:80",real_server="127.0.0.1:1"}'),
    0,
  );
  assert.ok((value(text, 'floatip_lvs_apply_duration_seconds_count{result="ok"}') ?? 0) >= 1, text);
  assert.ok((value(text, 'floatip_health_check_lag_seconds_count') ?? 0) >= 1, text);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
  // Only /metrics is served.
  const other = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      `fetch("http://127.0.0.1:${port}/").then((r) => console.log(r.status))`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(other.trim(), '404');
});

test('a bad --metrics value stops the agent with a message naming it', () => {
  let err = '';
  try {
    execFileSync(
      process.execPath,
      ['bin/floatip.mjs', 'agent', '--config', '/nonexistent', '--metrics', 'nine'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (e) {
    err = String((e as { stderr?: string }).stderr);
  }
  assert.match(err, /--metrics "nine": expected HOST:PORT/);
});
