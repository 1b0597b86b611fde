/**
 * IPVS carries traffic, not only tables: in the VM (test/helpers/vm.ts, Debian's kernel with ip_vs), the
 * floatip agent programs twelve virtual servers from one keepalived.conf — NAT, DR and TUN, each with rr,
 * wrr, sh and mh over three real servers in their own network namespaces — and a client namespace makes
 * real TCP connections to every VIP (traffic-guest.ts builds the lab and records who answered). Asserted:
 * every connection is answered by a real server, the kernel's per-server connection counters agree with the
 * client's, rr/wrr shares are exact by weight, sh/mh keep a source on one server, a weight of 0 gets nothing,
 * and the server the kernel chose for each source under sh and mh is the one core/lb's model of ip_vs_sh.c /
 * ip_vs_mh.c predicts. Root only (qemu's 9p export of /).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { vmHookOptions, runVm, vmTestKernel, type VmRun } from '../../helpers/vm.ts';
import { createVirtualService, type SchedulerName } from '../../../core/lb/index.ts';
import { WEIGHTS, type Conn } from './traffic-guest.ts';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const vmKernel = vmTestKernel();
const skip = vmKernel.skip;

interface Run {
  mode: 'NAT' | 'DR' | 'TUN';
  scheduler: keyof typeof WEIGHTS;
  vip: string;
  conns: Conn[];
}
interface GuestRecord {
  started: number;
  programmed?: number;
  connected?: number;
  table?: string;
  runs?: Run[];
  stats?: string;
  error?: string;
  agentLog: string;
}
let vm: VmRun;
let rec: GuestRecord;
const SERVERS = ['rs1', 'rs2', 'rs3'];
const serverAddr = (name: string) => `10.10.1.${10 + Number(name.slice(2))}`;

const VM_RUN_MS = 10 * 60_000;
before(async () => {
  if (skip) return;
  const t0 = Date.now();
  vm = await runVm(vmKernel.required(), {
    modules: ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'ip_vs_mh', 'veth', 'bridge', 'dummy', 'ipip'],
    script: `cd '${root}' && node_modules/.bin/node test/netns/ipvs-kernel/traffic-guest.ts`,
    timeoutMs: VM_RUN_MS,
  });
  const text = vm.read('traffic.json');
  assert.ok(
    text,
    `guest wrote no traffic.json (exit ${vm.exitCode}):\n${vm.output}\n${vm.console.slice(-3000)}`,
  );
  rec = JSON.parse(text) as GuestRecord;
  assert.equal(rec.error, undefined, `${rec.error}\nagent log:\n${rec.agentLog}\n${vm.output}`);
  const s = (a?: number, b?: number) => (((a ?? 0) - (b ?? 0)) / 1000).toFixed(1);
  console.log(
    `# VM run ${s(Date.now(), t0)} s: agent programmed IPVS ${s(rec.programmed, rec.started)} s after the ` +
      `guest script started; ${count()} connections in ${s(rec.connected, rec.programmed)} s`,
  );
}, vmHookOptions(VM_RUN_MS));

const count = () => (rec.runs ?? []).reduce((n, r) => n + r.conns.length, 0);
const runs = (scheduler: string): Run[] => {
  const r = (rec.runs ?? []).filter((x) => x.scheduler === scheduler);
  assert.equal(r.length, 3, `expected a NAT, a DR and a TUN run for ${scheduler}`);
  return r;
};
const tally = (conns: Conn[]): Record<string, number> => {
  const t: Record<string, number> = {};
  for (const c of conns) t[c.answer] = (t[c.answer] ?? 0) + 1;
  return t;
};

/** `ipvsadm -Ln --nosort`: the real servers of one VIP in the kernel's list order (newest first). */
function dumpOrder(vip: string): string[] {
  const lines = (rec.table ?? '').split('\n');
  const at = lines.findIndex((l) => l.startsWith(`TCP  ${vip}:80 `));
  assert.ok(at >= 0, `${vip} missing from the kernel table:\n${rec.table}`);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^ {2}-> (\S+):80 /.exec(l);
    if (!m?.[1]) break;
    out.push(m[1]);
  }
  return out;
}

/** `ipvsadm -Ln --stats --exact`: Conns per real server of one VIP. */
function kernelConns(vip: string): Record<string, number> {
  const lines = (rec.stats ?? '').split('\n');
  const at = lines.findIndex((l) => l.startsWith(`TCP  ${vip}:80 `));
  assert.ok(at >= 0, `${vip} missing from the kernel's stats:\n${rec.stats}`);
  const out: Record<string, number> = {};
  for (const l of lines.slice(at + 1)) {
    const m = /^ {2}-> (\S+):80\s+(\d+)/.exec(l);
    if (!m?.[1]) break;
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** core/lb's choice for each source, with the servers added in the order the kernel's list implies. */
function predict(run: Run): Map<string, string | null> {
  const vs = createVirtualService({ scheduler: run.scheduler as SchedulerName, port: 80 });
  const byAddr = new Map(
    SERVERS.map((s, i) => [serverAddr(s), { name: s, weight: WEIGHTS[run.scheduler][i]! }]),
  );
  // Each add goes to the head of the list, so adding in reverse dump order rebuilds the kernel's list.
  for (const addr of [...dumpOrder(run.vip)].reverse()) {
    const s = byAddr.get(addr);
    assert.ok(s, `unexpected real server ${addr}`);
    vs.addServer({ id: s.name, addr, port: 80, weight: s.weight });
  }
  const out = new Map<string, string | null>();
  for (const c of run.conns) {
    if (out.has(c.source)) continue;
    const id = vs.schedule({ saddr: c.source, daddr: run.vip, sport: 40000, dport: 80, proto: 'tcp' });
    out.set(c.source, id === null ? null : String(id));
  }
  return out;
}

test(
  'every connection through NAT, DR and TUN is answered by a real server; the kernel counted the same',
  { skip },
  () => {
    assert.equal((rec.runs ?? []).length, 12);
    for (const run of rec.runs ?? []) {
      const t = tally(run.conns);
      const stray = Object.keys(t).filter((a) => !SERVERS.includes(a));
      assert.deepEqual(stray, [], `${run.mode} ${run.scheduler} ${run.vip}: answers ${JSON.stringify(t)}`);
      const want: Record<string, number> = {};
      for (const s of SERVERS) want[serverAddr(s)] = t[s] ?? 0;
      assert.deepEqual(kernelConns(run.vip), want, `${run.mode} ${run.scheduler}: kernel Conns vs client`);
    }
  },
);

test('rr and wrr: shares exact by weight over whole rounds, in every forwarding method', { skip }, () => {
  for (const scheduler of ['rr', 'wrr'] as const) {
    for (const run of runs(scheduler)) {
      const rounds = run.conns.length / WEIGHTS[scheduler].reduce((a, b) => a + b, 0);
      const want: Record<string, number> = {};
      SERVERS.forEach((s, i) => (want[s] = rounds * WEIGHTS[scheduler][i]!));
      assert.deepEqual(tally(run.conns), want, `${run.mode} ${scheduler}`);
    }
  }
});

test(
  'sh and mh: a source stays on one server, weight 0 gets nothing, and the kernel chose as core/lb predicts',
  { skip },
  () => {
    for (const scheduler of ['sh', 'mh'] as const) {
      for (const run of runs(scheduler)) {
        const seen = new Map<string, Set<string>>();
        for (const c of run.conns) seen.set(c.source, (seen.get(c.source) ?? new Set()).add(c.answer));
        for (const [source, answers] of seen)
          assert.equal(
            answers.size,
            1,
            `${run.mode} ${scheduler}: ${source} went to ${[...answers].join(' and ')}`,
          );
        const t = tally(run.conns);
        SERVERS.forEach((s, i) => {
          if (WEIGHTS[scheduler][i] === 0)
            assert.equal(t[s], undefined, `${run.mode} ${scheduler}: ${s} has weight 0`);
          else
            assert.ok((t[s] ?? 0) > 0, `${run.mode} ${scheduler}: ${s} got nothing of ${JSON.stringify(t)}`);
        });
        const predicted = predict(run);
        const actual = new Map([...seen].map(([src, a]) => [src, [...a][0]!]));
        assert.deepEqual(
          actual,
          predicted,
          `${run.mode} ${scheduler}: the kernel's choice per source vs core/lb (ipvsadm lists ${dumpOrder(run.vip).join(' ')})`,
        );
      }
    }
  },
);
