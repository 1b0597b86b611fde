// @needs root iproute2 nftables
// `floatip agent` runs with the bounded heap bench:checker measures with: the launcher replaces itself
// with Node started with --max-semi-space-size=1 --max-old-space-size=128 and MALLOC_ARENA_MAX=2 (same pid,
// one process), and FLOATIP_AGENT_NODE_FLAGS overrides the flags. Started by a Node without
// process.execve (the machine's Node 20), the launcher still leaves one process (the addon's execve).
// Read from /proc of the running agent, in a namespace of its own (a veth pair, a unicast VRRP instance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentNamespace } from '../../helpers/netns-lvs.ts';

const conf = `
vrrp_instance VI_1 {
    state BACKUP
    interface v0
    virtual_router_id 61
    priority 100
    advert_int 1
    unicast_src_ip 10.55.0.1
    unicast_peer {
        10.55.0.2
    }
    virtual_ipaddress {
        10.55.0.100/24 dev v0
    }
}
`;

/** Starts the agent through bin/floatip.mjs in `ns`; returns its /proc view once it has started. */
async function agentProcess(
  ns: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  node = 'node_modules/.bin/node',
): Promise<{ argv: string[]; env: string[]; heapLimitMb: number; children: string }> {
  const path = join(dir, 'keepalived.conf');
  writeFileSync(path, conf);
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      node,
      'bin/floatip.mjs',
      'agent',
      '--config',
      path,
      '--socket',
      join(dir, `a-${randomBytes(2).toString('hex')}.sock`),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const check = (b: Buffer): void => {
        out += b.toString();
        if (out.includes('floatip agent started')) resolve();
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => reject(new Error(`the agent exited (${code}): ${out}`)));
    });
    const pid = child.pid ?? 0;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    // The old-generation cap as V8 applied it, from a tiny script run with the same flags.
    const flags = argv.slice(
      1,
      argv.findIndex((a) => a.endsWith('floatip.mjs')),
    );
    const limit = execFileSync(
      'node_modules/.bin/node',
      [...flags, '-e', 'console.log(require("v8").getHeapStatistics().heap_size_limit)'],
      { encoding: 'utf8' },
    );
    // ps exits 1 when it finds no process: no children.
    let children = '';
    try {
      children = execFileSync('ps', ['-o', 'pid=,cmd=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      children = '';
    }
    return { argv, env: environ, heapLimitMb: Number(limit) / 2 ** 20, children };
  } finally {
    const gone = new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
    );
    child.kill('SIGTERM');
    await gone;
  }
}

test('the agent runs with the bounded heap flags and MALLOC_ARENA_MAX=2; the flags can be overridden', async (t) => {
  const { ns, dir } = agentNamespace(t, 'heap', '10.55.0.1/24');

  const {
    FLOATIP_AGENT_NODE_FLAGS: _f,
    MALLOC_ARENA_MAX: _m,
    FLOATIP_AGENT_FLAGS_APPLIED: _a,
    ...base
  } = process.env;
  const plain = await agentProcess(ns, dir, base);
  assert.ok(plain.argv.includes('--max-semi-space-size=1'), plain.argv.join(' '));
  assert.ok(plain.argv.includes('--max-old-space-size=128'), plain.argv.join(' '));
  assert.ok(plain.argv.some((a) => a.endsWith('bin/floatip.mjs')) && plain.argv.includes('agent'));
  assert.ok(plain.env.includes('MALLOC_ARENA_MAX=2'));
  // V8's heap limit is the old generation plus the young one (3 × semi-space): far below the default.
  assert.ok(plain.heapLimitMb < 200, `heap limit ${plain.heapLimitMb} MB`);
  // One process: the pid the launcher started as is the agent (its argv has the flags), with no child.
  assert.equal(plain.children, '', 'no resident launcher or other child');

  const custom = await agentProcess(ns, dir, {
    ...base,
    FLOATIP_AGENT_NODE_FLAGS: '--max-old-space-size=160',
    MALLOC_ARENA_MAX: '4',
  });
  assert.ok(custom.argv.includes('--max-old-space-size=160'), custom.argv.join(' '));
  assert.ok(!custom.argv.includes('--max-semi-space-size=1'));
  assert.ok(custom.env.includes('MALLOC_ARENA_MAX=4'));

  // Started by a Node that has no process.execve (the machine's own, outside node_modules; npm puts
  // node_modules/.bin first on PATH): the same pid becomes the flagged Node 24, no child.
  const machineNode = (process.env['PATH'] ?? '')
    .split(':')
    .filter((d) => d && !d.includes('node_modules'))
    .map((d) => join(d, 'node'))
    .find((f) => existsSync(f));
  const hasExecve =
    machineNode === undefined ||
    execFileSync(machineNode, ['-p', 'typeof process.execve'], { encoding: 'utf8' }).trim() !== 'undefined';
  if (hasExecve || machineNode === undefined) {
    t.diagnostic(`skipped the no-execve launch: no node without process.execve on PATH (${machineNode})`);
    return;
  }
  const viaOld = await agentProcess(ns, dir, base, machineNode);
  assert.match(viaOld.argv[0] ?? '', /node_modules\/node/, viaOld.argv.join(' '));
  assert.ok(viaOld.argv.includes('--max-semi-space-size=1'), viaOld.argv.join(' '));
  assert.equal(viaOld.children, '', 'no resident launcher or other child');
});
