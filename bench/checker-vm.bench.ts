/**
 * `npm run bench:checker-vm` (root; the VM kernel of .ci/vm-kernel, qemu, Debian's keepalived): keepalived's
 * own TCP_CHECK checker and the floatip agent on one keepalived.conf, one after the other in the same VM
 * boot, against a real kernel IPVS (bench/checker/vm-guest.ts). Unlike `bench:checker` no LD_PRELOAD shim
 * stands in for IPVS: both checkers program the kernel's table as in production. The VM runs under software
 * emulation, so only the ratios mean anything. FIP_CHECKER_VM_SERVERS (default 200) and
 * FIP_CHECKER_VM_SECONDS (default 15) set the size and the measuring window.
 */
import { join } from 'node:path';
import { findVmKernel, runVm } from '../test/helpers/vm.ts';

interface Figures {
  checks: number;
  seconds: number;
  cpuMs: number;
  peakRssMb: number[];
  startS: number;
}

const kernel = findVmKernel();
if ('missing' in kernel) {
  console.error(`bench:checker-vm: ${kernel.missing}`);
  process.exit(1);
}
const root = join(import.meta.dirname, '..');
const env = ['FIP_CHECKER_VM_SERVERS', 'FIP_CHECKER_VM_SECONDS']
  .filter((k) => process.env[k])
  .map((k) => `${k}=${process.env[k]} `)
  .join('');
const vm = await runVm(kernel, {
  modules: ['ip_vs', 'ip_vs_rr', 'veth'],
  script: `cd '${root}' && ${env}node_modules/.bin/node bench/checker/vm-guest.ts`,
  timeoutMs: 15 * 60_000,
});
const text = vm.read('checker-vm.json');
if (!text) {
  console.error(
    `bench:checker-vm: the guest wrote no result (exit ${vm.exitCode}):\n${vm.output}\n${vm.console.slice(-3000)}`,
  );
  process.exit(1);
}
const r = JSON.parse(text) as { servers: number; keepalived: Figures; floatip: Figures };
const row = (name: string, f: Figures) => {
  const perCheck = f.cpuMs / Math.max(1, f.checks);
  return {
    name,
    perCheck,
    line: `${name.padEnd(10)} ${(f.checks / f.seconds).toFixed(0).padStart(8)} checks/s  ${perCheck.toFixed(3).padStart(7)} ms CPU/check  peak RSS ${f.peakRssMb.map((m) => m.toFixed(0)).join('+')} MB  first checks after ${f.startS.toFixed(0)} s`,
  };
};
const k = row('keepalived', r.keepalived);
const a = row('floatip', r.floatip);
console.log(
  `# ${r.servers} healthy real servers, TCP_CHECK, delay_loop 1, real IPVS in the VM (emulated CPU)`,
);
console.log(k.line);
console.log(a.line);
console.log(
  `floatip/keepalived: checks/s ${(r.floatip.checks / r.floatip.seconds / (r.keepalived.checks / r.keepalived.seconds)).toFixed(2)}x, CPU/check ${(a.perCheck / k.perCheck).toFixed(2)}x`,
);
