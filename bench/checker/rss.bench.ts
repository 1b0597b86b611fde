/**
 * `npm run bench:checker-rss -- [N...]` (root): the agent's resident memory at N TCP_CHECK real servers
 * (default 5000 10000), without keepalived: bench:checker's lab, servers and keepalived.conf; per size the
 * package an operator installs (`npm run pack`'s build), then the checkout's sources. Samples /proc/PID/status every 100 ms and prints, per size, the peak (VmHWM) when the agent
 * logs "floatip agent started", the peak, resident set (anonymous / file-backed) and the agent's CPU
 * (user + system; rough, the machine's load shows in it) FIP_RSS_SECONDS (default 20) later, and the
 * largest sampled VmRSS. FLOATIP_AGENT_NODE_FLAGS applies as for any agent (bin/floatip.mjs);
 * FIP_RSS_ROOT=/path/to/checkout runs that checkout's agent (A/B).
 *
 * Size 0 (`npm run bench:checker-rss -- 0`) is a VRRP-only keepalived.conf (one vrrp_instance, no virtual
 * servers; it becomes MASTER alone in its namespace) run three ways one after the other: the agent from
 * the checkout's sources, the agent from its packaged build (the bench runs `npm run pack`'s script, which
 * rewrites dist/; skipped when that fails) and keepalived 2.2.7 (-P: its parent and VRRP child processes,
 * each and summed), each measured FIP_RSS_SECONDS after it logged its start. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLab, waitFor, type Lab } from '../../test/helpers/netns.ts';
import { startKeepalived } from '../../test/netns/vrrp/lib/keepalived.ts';
import { shortTimeWait } from './conntrack.ts';
import { agentArgv, cpuMs, packagedAgent, withFdLimit } from './proc.ts';

const SIZES = process.argv.slice(2).map(Number);
const SECONDS = Number(process.env['FIP_RSS_SECONDS'] ?? 20);
const FIRST_PORT = 20_000;
/** FIP_RSS_ROOT: another checkout's agent (A/B against main). */
const root = process.env['FIP_RSS_ROOT'] ?? join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? Number.NaN);
    return {
      rss: kb('VmRSS') / 1024,
      hwm: kb('VmHWM') / 1024,
      anon: kb('RssAnon') / 1024,
      file: kb('RssFile') / 1024,
    };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN, anon: Number.NaN, file: Number.NaN };
  }
}

function config(director: string, server: string, ports: readonly number[]): string {
  const rs = ports.map(
    (p) =>
      `    real_server ${server} ${p} {\n        weight 1\n        TCP_CHECK {\n            connect_timeout 5\n        }\n    }\n`,
  );
  return `global_defs {\n    router_id rss_bench\n}\n\nvirtual_server ${director} 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n${rs.join('')}}\n`;
}

async function servers(lab: Lab, n: number): Promise<{ ports: number[]; close: () => void }> {
  const child = lab.spawn(
    'r1',
    withFdLimit([
      process.execPath,
      join(import.meta.dirname, 'servers.ts'),
      lab.nodes['r1']?.ipv4 ?? '',
      String(FIRST_PORT),
      String(n),
    ]),
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((r) => lines.once('line', r));
  return { ports: JSON.parse(first) as number[], close: () => child.stdin?.end() };
}

/** One vrrp_instance on d1's eth0, alone: MASTER after 3 adverts of 1 s. */
function vrrpOnlyConfig(): string {
  return `global_defs {\n    router_id rss_bench\n}\n\nvrrp_instance VI_1 {\n    state BACKUP\n    interface eth0\n    virtual_router_id 71\n    priority 100\n    advert_int 1\n    virtual_ipaddress {\n        10.99.0.170/24\n    }\n}\n`;
}

async function agentOnce(lab: Lab, dir: string, configPath: string, seconds: number, top = root) {
  const child = lab.spawn('d1', agentArgv(top, configPath, join(dir, 'a.sock')));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  // `ip netns exec sh -c ... exec node` then the launcher's execve: the same pid throughout.
  const pid = child.pid ?? 0;
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, status(pid).rss || 0)), 100);
  try {
    await waitFor(
      'agent started',
      () => (out.includes('floatip agent started') ? true : undefined),
      120_000,
      50,
    );
    const atStart = status(pid);
    const cpu0 = cpuMs([pid]);
    await sleep(seconds * 1000);
    const later = status(pid);
    return { atStart, later, maxRss, out, cpuMs: cpuMs([pid]) - cpu0 };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await exited;
  }
}

const f1 = (v: number) => v.toFixed(1);

async function vrrpOnly(lab: Lab, dir: string): Promise<void> {
  const configPath = join(dir, 'vrrp-only.conf');
  writeFileSync(configPath, vrrpOnlyConfig());
  const line = (what: string, r: Awaited<ReturnType<typeof agentOnce>>) =>
    console.log(
      `VRRP-only, ${what}: at start HWM ${f1(r.atStart.hwm)} RSS ${f1(r.atStart.rss)} MB; after ${SECONDS} s HWM ${f1(r.later.hwm)} RSS ${f1(r.later.rss)} MB (anon ${f1(r.later.anon)}, file ${f1(r.later.file)}); CPU ${f1(r.cpuMs / SECONDS / 10)} % of a core`,
    );
  await agentOnce(lab, dir, configPath, 0); // compile cache of the modules a VRRP-only agent loads
  line('agent from source', await agentOnce(lab, dir, configPath, SECONDS));
  const pkg = packagedAgent(root, join(dir, 'vrrp-only'));
  if (pkg) {
    await agentOnce(lab, dir, configPath, 0, pkg); // its own compile cache entries
    line('agent packaged', await agentOnce(lab, dir, configPath, SECONDS, pkg));
  } else console.log('VRRP-only, agent packaged: skipped (scripts/build-package.ts failed)');
  const k = startKeepalived(lab, 'd1', vrrpOnlyConfig());
  try {
    await waitFor(
      'keepalived master',
      () => (/Entering MASTER STATE/.test(k.log()) ? true : undefined),
      30_000,
      50,
    );
    await sleep(SECONDS * 1000);
    const parent = status(k.process.pid ?? 0);
    const child = status(Number(readFileSync(join(k.dir, 'vrrp.pid'), 'utf8')));
    console.log(
      `VRRP-only, keepalived -P: after ${SECONDS} s RSS ${f1(parent.rss + child.rss)} MB (parent ${f1(parent.rss)}: anon ${f1(parent.anon)}, file ${f1(parent.file)}; VRRP child ${f1(child.rss)}: anon ${f1(child.anon)}, file ${f1(child.file)})`,
    );
  } finally {
    await k.stop();
  }
}

const lab = createLab({ directors: 1, client: false, realServers: 1 });
const dir = mkdtempSync(join(os.tmpdir(), 'fip-rss-bench-'));
try {
  // Agents one after another at 10,000 checks/s would fill the director's conntrack table (bench:checker's
  // reason for the same setting): the next agent's SYNs are dropped and healthy servers go down.
  shortTimeWait(lab);
  const warm = join(dir, 'warm.conf');
  writeFileSync(warm, config(lab.nodes['d1']?.ipv4 ?? '', lab.nodes['r1']?.ipv4 ?? '', [FIRST_PORT]));
  await agentOnce(lab, dir, warm, 0); // compile cache warm, as in bench:checker
  console.log(
    `agent ${root}; flags: ${process.env['FLOATIP_AGENT_NODE_FLAGS'] ?? '(launcher default)'}; load ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  // At N servers: the package an operator installs (npm run pack), then the checkout's sources.
  const agents: Array<[string, string]> = [];
  if (SIZES.some((n) => n > 0)) {
    const pkg = packagedAgent(root, dir);
    if (pkg) {
      await agentOnce(lab, dir, warm, 0, pkg); // its own compile cache entries
      agents.push(['agent packaged', pkg]);
    } else console.log('agent packaged: skipped (scripts/build-package.ts failed)');
    agents.push(['agent from source', root]);
  }
  for (const n of SIZES.length ? SIZES : [5000, 10000]) {
    if (n === 0) {
      await vrrpOnly(lab, dir);
      continue;
    }
    const s = await servers(lab, n);
    try {
      const configPath = join(dir, `c-${n}.conf`);
      writeFileSync(configPath, config(lab.nodes['d1']?.ipv4 ?? '', lab.nodes['r1']?.ipv4 ?? '', s.ports));
      for (const [what, top] of agents) {
        const r = await agentOnce(lab, dir, configPath, SECONDS, top);
        const f = (v: number) => v.toFixed(1);
        console.log(
          `${n} servers, ${what}: at start HWM ${f(r.atStart.hwm)} RSS ${f(r.atStart.rss)} MB; after ${SECONDS} s HWM ${f(r.later.hwm)} RSS ${f(r.later.rss)} MB (anon ${f(r.later.anon)}, file ${f(r.later.file)}); max sampled RSS ${f(r.maxRss)} MB; CPU ${f(r.cpuMs / SECONDS / 10)} % of a core after start; ${(r.out.match(/real server \S+ down/g) ?? []).length} declared down`,
        );
        if (process.env['FIP_RSS_SHOW_LOG']) console.log(r.out);
      }
    } finally {
      s.close();
    }
  }
} finally {
  lab.destroy();
  rmSync(dir, { recursive: true, force: true });
}
