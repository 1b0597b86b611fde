/**
 * A throwaway VM for tests that need a kernel feature this machine's kernel lacks (IPVS): Debian's stock
 * kernel (unpacked by .ci/vm-kernel) boots under qemu with a tiny busybox initramfs that loads the modules
 * asked for, mounts the host's root read-only over virtio-9p and runs one shell script in it as root, so
 * the guest runs this very checkout with its own node_modules. One folder is shared read-write: the
 * script, its output and its exit code live there.
 *
 *   host: qemu ─ -kernel vmlinuz -initrd (busybox + .ko) ─ 9p "hostroot" (/, ro) ─ 9p "out" (dir, rw)
 *   guest /init: insmod … → mount hostroot /host, out over /host/<dir> → chroot /host sh <dir>/run.sh
 *
 * Software emulation (no KVM here): boot takes ~10 s, Node starts in a few seconds.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const VM_CACHE = process.env.FIP_VM_CACHE ?? '/var/cache/floatip-vm';
const BUSYBOX = '/bin/busybox';

export interface VmKernel {
  version: string;
  /** The unpacked package: boot/vmlinuz-VERSION and lib/modules/VERSION. */
  root: string;
}

/** The prepared kernel, or why there is none (the caller skips or fails with that sentence). */
export function findVmKernel(): VmKernel | { missing: string } {
  const root = join(VM_CACHE, 'current');
  const need = (what: string) => ({ missing: `${what}; run \`sudo bash .ci/vm-kernel\` (CI does)` });
  if (!existsSync(root)) return need(`no kernel unpacked in ${VM_CACHE}`);
  const version = basename(readLink(root));
  if (!existsSync(join(root, 'boot', `vmlinuz-${version}`))) return need(`${root} has no vmlinuz-${version}`);
  for (const tool of ['qemu-system-x86_64', 'modprobe']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return need(`${tool} is not installed`);
  }
  if (!existsSync(BUSYBOX)) return need(`${BUSYBOX} (busybox-static) is not installed`);
  return { version, root };
}

/**
 * For a test file that boots the VM: the kernel, and why its tests skip (false when they run). They need
 * root (qemu exports / to the guest) and a kernel; on CI, which prepares the kernel (.ci/run calls
 * .ci/vm-kernel), a missing kernel is not a skip but a failure, thrown by `required()` in `before`.
 */
export function vmTestKernel(): { skip: string | false; required(): VmKernel } {
  const kernel = findVmKernel();
  const skip =
    process.getuid?.() !== 0
      ? 'needs root (qemu exports / to the guest)'
      : 'missing' in kernel && !process.env.CI
        ? kernel.missing
        : false;
  return {
    skip,
    required() {
      if ('missing' in kernel) throw new Error(kernel.missing);
      return kernel;
    },
  };
}

function readLink(path: string): string {
  const r = spawnSync('readlink', ['-f', path], { encoding: 'utf8' });
  return r.stdout.trim();
}

/** Module files for `names` and everything they depend on, in load order. */
function moduleFiles(kernel: VmKernel, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const r = spawnSync('modprobe', ['-d', kernel.root, '-S', kernel.version, '--show-depends', name], {
      encoding: 'utf8',
    });
    if (r.status !== 0)
      throw new Error(`vm: kernel ${kernel.version} has no module ${name}: ${r.stderr.trim()}`);
    for (const line of r.stdout.split('\n')) {
      const m = /^insmod (\S+)/.exec(line);
      if (m?.[1] && !out.includes(m[1])) out.push(m[1]);
    }
  }
  return out;
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m || echo "vm: insmod $m failed"; done
out=$(sed -n 's/.*fipout=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host || echo "vm: 9p hostroot failed"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /host$out || echo "vm: 9p out failed"
mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -t devtmpfs dev /host/dev
mount -t tmpfs run /host/run; mount -t tmpfs tmp /host/var/tmp
hostname fip-vm
ip link set lo up
chroot /host /bin/sh -c "cd / && HOME=/run TMPDIR=/run /bin/sh $out/run.sh > $out/output.log 2>&1; echo \\$? > $out/exit"
sync
poweroff -f
`;

export interface VmRunOptions {
  /** Kernel modules to load before the script runs (dependencies are added). */
  modules: readonly string[];
  /** The script, run by /bin/sh as root inside the guest; the shared folder's path is in $FIP_VM_OUT. */
  script: string;
  /** Files to place in the shared folder first (name -> content). */
  files?: Record<string, string>;
  memoryMb?: number;
  /** The whole run, boot included (default 10 min). */
  timeoutMs?: number;
}

/**
 * Options for the node:test hook that awaits runVm: a hook inherits the runner's per-test timeout (5 min), which
 * a loaded machine's software-emulated guest can outlast; this gives the hook the run's own limit plus a minute,
 * so a slow guest finishes and a hung one is reported by runVm with its console.
 */
export const vmHookOptions = (runTimeoutMs: number): { timeout: number } => ({
  timeout: runTimeoutMs + 60_000,
});

export interface VmRun {
  /** The script's exit code; null when the guest never reported one (crash, timeout). */
  exitCode: number | null;
  /** What the script printed (stdout and stderr). */
  output: string;
  /** The serial console: kernel and init messages, for diagnosing a failed boot. */
  console: string;
  /** Reads a file the script left in the shared folder. */
  read(name: string): string;
  /** Output of earlier boots whose Node died of a V8 engine fault (see runVm); empty when none. */
  engineFaults: string[];
}

/** A V8 fatal CHECK (`# Fatal error in …`): Node itself aborted, not the code it ran. */
const V8_FATAL = /^# Fatal error in .*\n(?:.*\n)*?# Check failed: .*$/m;

/** The V8 fatal CHECK a guest's output ends with, or null. */
export function engineFault(output: string): string | null {
  return V8_FATAL.exec(output)?.[0] ?? null;
}

/**
 * Boots, runs `script`, powers off; the folders it made are removed before it returns.
 *
 * Node 24's V8 has aborted inside this software-emulated guest, rarely and only under host load, with a
 * fatal CHECK in its JIT page bookkeeping (`Check failed: it->second.Size() > offset`, code-memory-access):
 * an engine fault that says nothing about the code under test. Such a run is booted once more, the fault is
 * printed, and the caller gets it in `engineFaults`; any other failure is returned as it is.
 */
export async function runVm(kernel: VmKernel, options: VmRunOptions): Promise<VmRun> {
  const engineFaults: string[] = [];
  for (;;) {
    const run = await runVmOnce(kernel, options);
    const fault = engineFault(run.output);
    if (run.exitCode === 0 || !fault || engineFaults.length >= 1) return { ...run, engineFaults };
    process.stderr.write(`vm: Node in the guest died of a V8 engine fault; booting once more:\n${fault}\n`);
    engineFaults.push(run.output);
  }
}

async function runVmOnce(kernel: VmKernel, options: VmRunOptions): Promise<Omit<VmRun, 'engineFaults'>> {
  const work = mkdtempSync(join(tmpdir(), 'fip-vm-'));
  try {
    const out = join(work, 'out');
    const initrd = join(work, 'initrd');
    mkdirSync(out);
    for (const d of ['bin', 'dev', 'proc', 'sys', 'host', 'mods'])
      mkdirSync(join(initrd, d), { recursive: true });
    copyFileSync(BUSYBOX, join(initrd, 'bin', 'busybox'));
    const mods = moduleFiles(kernel, ['virtio_pci', '9pnet_virtio', '9p', ...options.modules]);
    for (const m of mods) copyFileSync(m, join(initrd, 'mods', basename(m)));
    writeFileSync(join(initrd, 'mods', 'order'), mods.map((m) => basename(m)).join('\n') + '\n');
    writeFileSync(join(initrd, 'init'), INIT);
    chmodSync(join(initrd, 'init'), 0o755);
    const cpio = spawnSync(
      'sh',
      ['-c', `cd '${initrd}' && find . | ${BUSYBOX} cpio -o -H newc 2>/dev/null | gzip -1`],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    if (cpio.status !== 0) throw new Error(`vm: building the initramfs failed: ${String(cpio.stderr)}`);
    writeFileSync(join(work, 'initrd.gz'), cpio.stdout);
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(out, name), text);
    writeFileSync(join(out, 'run.sh'), `export FIP_VM_OUT=${out}\nset -e\n${options.script}\n`);

    const args = [
      '-machine',
      'q35',
      '-m',
      String(options.memoryMb ?? 1536),
      '-smp',
      '2',
      '-accel',
      'tcg,thread=multi',
      '-nographic',
      '-no-reboot',
      '-nic',
      'none',
      '-kernel',
      join(kernel.root, 'boot', `vmlinuz-${kernel.version}`),
      '-initrd',
      join(work, 'initrd.gz'),
      '-append',
      `console=ttyS0 quiet panic=-1 fipout=${out}`,
      '-virtfs',
      'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs',
      `local,path=${out},mount_tag=out,security_model=none`,
    ];
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let consoleText = '';
    qemu.stdout.on('data', (d: Buffer) => (consoleText += d.toString()));
    qemu.stderr.on('data', (d: Buffer) => (consoleText += d.toString()));
    const timeoutMs = options.timeoutMs ?? 600_000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        consoleText += `\nvm: no power-off after ${timeoutMs} ms; killed\n`;
        qemu.kill('SIGKILL');
      }, timeoutMs);
      qemu.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const read = (name: string): string => {
      const p = join(out, name);
      return existsSync(p) ? readFileSync(p, 'utf8') : '';
    };
    const code = read('exit').trim();
    // Everything the caller may read is loaded now: the folder goes away in finally.
    const files = new Map<string, string>();
    for (const name of spawnSync('ls', [out], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) {
      files.set(name, read(name));
    }
    return {
      exitCode: code === '' ? null : Number(code),
      output: files.get('output.log') ?? '',
      console: consoleText,
      read: (name) => files.get(name) ?? '',
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
