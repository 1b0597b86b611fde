// @needs root iproute2 keepalived tcpdump iputils-ping
/**
 * use_ipvlan on a kernel that has ipvlan: this machine's kernel lacks CONFIG_IPVLAN (ipvlan.test.ts skips
 * there), so Debian's kernel boots under qemu (test/helpers/vm.ts) and ipvlan-guest.ts runs keepalived
 * 2.2.7 and then floatip's agent on the same config inside it. floatip's ipvlan must have keepalived's
 * shape (L2, private, on eth0, the base's MAC) and sysctls and carry its own address, adverts must leave
 * from that address (a peer sees them), the VIP must sit where keepalived puts it (on the base: keepalived
 * moves VIPs only onto a use_vmac VMAC) and answer the peer, and the ipvlan must be gone after a clean stop.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createLab } from '../../helpers/netns.ts';
import { vmHookOptions, findVmKernel, runVm, type VmRun } from '../../helpers/vm.ts';
import { CONFIG, COMPILE_CACHE } from './ipvlan-guest-config.ts';
import { startFloatip } from './lib/floatip.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const kernel = findVmKernel();
const isRoot = process.getuid?.() === 0;
const skip = !isRoot
  ? 'needs root (qemu exports / to the guest)'
  : 'missing' in kernel && !process.env['CI']
    ? kernel.missing
    : false;

interface Seen {
  vipOn?: string;
  startMs?: number;
  link?: Record<string, unknown>;
  addresses?: string[];
  sysctls?: Record<string, string>;
  adverts?: string;
  ping?: boolean;
  goneAfterStop?: boolean;
  log?: string;
  error?: string;
}
let run: VmRun;
let seen: Record<'keepalived' | 'floatip', Seen>;

/**
 * Node under qemu's emulation takes a minute to compile the agent; a compile cache made here by the same
 * Node on the same files (the guest sees this tree at the same path) saves most of it. The agent runs
 * once in a throwaway lab namespace to fill it.
 */
async function primeCompileCache(): Promise<void> {
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
  const lab = createLab({ directors: 1, client: false });
  const saved = process.env['NODE_COMPILE_CACHE'];
  process.env['NODE_COMPILE_CACHE'] = COMPILE_CACHE;
  try {
    const agent = startFloatip(lab, 'd1', CONFIG.replace('use_ipvlan', '# use_ipvlan'));
    await agent.ready();
    await agent.stop();
    agent.cleanup();
  } finally {
    if (saved === undefined) delete process.env['NODE_COMPILE_CACHE'];
    else process.env['NODE_COMPILE_CACHE'] = saved;
    lab.destroy();
  }
}

const VM_RUN_MS = 8 * 60_000;
before(async () => {
  if (skip) return;
  if ('missing' in kernel) throw new Error(kernel.missing);
  await primeCompileCache();
  run = await runVm(kernel, {
    modules: ['ipvlan', 'veth'],
    script: `cd '${root}' && node_modules/.bin/node test/netns/vrrp/ipvlan-guest.ts`,
    timeoutMs: VM_RUN_MS,
  });
  assert.equal(
    run.exitCode,
    0,
    `guest failed (exit ${run.exitCode}):\n${run.output}\n${run.console.slice(-3000)}`,
  );
  seen = JSON.parse(run.read('ipvlan.json')) as typeof seen;
  console.log(
    `vm: VIP up after ${seen.keepalived.startMs} ms (keepalived), ${seen.floatip.startMs} ms (floatip)`,
  );
}, vmHookOptions(VM_RUN_MS));

test(
  "floatip makes keepalived's ipvlan, sends adverts from its address, leaves the VIP on the base as keepalived does",
  { skip },
  () => {
    const ka = seen.keepalived;
    const fl = seen.floatip;
    assert.equal(ka.error, undefined, `keepalived in the VM:\n${ka.log}`);
    assert.equal(fl.error, undefined, `floatip in the VM:\n${fl.log}`);
    assert.equal(ka.vipOn, 'eth0', 'keepalived leaves the VIP on the base');
    assert.equal(fl.vipOn, ka.vipOn);
    assert.deepEqual(fl.link, ka.link);
    assert.deepEqual(fl.link, {
      kind: 'ipvlan',
      mode: 'l2',
      flags: 'private',
      base: 'eth0',
      sameMacAsBase: true,
      up: true,
    });
    assert.deepEqual(fl.addresses, ka.addresses);
    assert.deepEqual(fl.addresses, ['10.99.0.21/24']);
    assert.deepEqual(fl.sysctls, ka.sysctls);
    // The peer sees adverts for VRID 53 from the ipvlan's address (tcpdump -e: MAC, then the IP header).
    assert.match(
      fl.adverts ?? '',
      /10\.99\.0\.21 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 53, prio 150/,
      fl.adverts,
    );
    assert.match(ka.adverts ?? '', /10\.99\.0\.21 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 53, prio 150/);
    assert.equal(fl.ping, true, 'the peer reaches the VIP on floatip');
    assert.equal(ka.ping, true, 'the peer reaches the VIP on keepalived');
    assert.equal(fl.goneAfterStop, true, 'floatip removes its ipvlan at stop');
    assert.equal(ka.goneAfterStop, true, 'keepalived removes its ipvlan at stop');
  },
);
