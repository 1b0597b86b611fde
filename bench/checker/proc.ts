// CPU time and resident memory of a process tree, read from /proc (Linux), for bench:checker: the same
// measurement for keepalived's two processes and for the agent, whatever it forks.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `argv` run with the open-file limit raised to its hard limit (thousands of checks in flight). */
export function withFdLimit(argv: string[]): string[] {
  return ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', ...argv];
}

/**
 * The package `npm run pack` builds from checkout `root` (dist/package: the CLI bundled as JavaScript, what an
 * operator's global install runs), copied to `dir` with the checkout's built addon where `npm install` would
 * compile it; null when it cannot be built. Its path is a `root` for agentArgv.
 */
export function packagedAgent(root: string, dir: string): string | null {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-package.ts')], {
      cwd: root,
      stdio: 'ignore',
    });
  } catch {
    return null;
  }
  const built = join(root, 'dist', 'package');
  if (!existsSync(join(built, 'dist', 'cli', 'main.mjs'))) return null;
  const copy = join(dir, 'package');
  cpSync(built, copy, { recursive: true });
  cpSync(
    join(root, 'adapters', 'onprem', 'native', 'build'),
    join(copy, 'node_modules', '@floatip', 'onprem-native', 'build'),
    { recursive: true },
  );
  return copy;
}

/** The agent as a user starts it, from checkout `root`, on `config`, with its control socket at `socket`. */
export function agentArgv(root: string, config: string, socket: string): string[] {
  return withFdLimit([
    process.execPath,
    join(root, 'bin', 'floatip.mjs'),
    'agent',
    '--config',
    config,
    '--socket',
    socket,
  ]);
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing one.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    const ppid = Number(f[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/**
 * User + system CPU of these processes (all their threads), in ms, plus the CPU of children they have
 * already reaped (short-lived helpers such as `nft`): `pids[0]` is the root of the tree. `which`: user or
 * system time alone.
 */
export function cpuMs(pids: readonly number[], which: 'all' | 'user' | 'system' = 'all'): number {
  let ticks = 0;
  const user = which !== 'system';
  const system = which !== 'user';
  pids.forEach((pid, i) => {
    const f = statFields(pid);
    // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    if (!f) return;
    if (user) ticks += Number(f[11]) + (i === 0 ? Number(f[13]) : 0);
    if (system) ticks += Number(f[12]) + (i === 0 ? Number(f[14]) : 0);
  });
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Peak resident memory (VmHWM) of each of these processes, largest first, in MB. */
export function peakRssMb(pids: readonly number[]): number[] {
  const out: number[] = [];
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out.push(Number(m[1]) / 1024);
    } catch {
      // exited
    }
  }
  return out.sort((a, b) => b - a);
}

/** Resident memory of these processes, in MB. */
export function rssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}
