// keepalived's checker for bench:checker: builds the IPVS socket-option shim (ipvs-shim.c) with the system
// C compiler and runs Debian's keepalived with only its checker process (-C) under LD_PRELOAD.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SHIM_SOURCE = join(import.meta.dirname, 'ipvs-shim.c');

/** Compiles the shim into `dir`; throws naming the compiler when there is none. */
export function buildShim(dir: string): string {
  const out = join(dir, 'ipvs-shim.so');
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-o', out, SHIM_SOURCE, '-ldl'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    throw new Error(`bench:checker builds ${SHIM_SOURCE} with cc (Debian: gcc): ${String(e)}`, { cause: e });
  }
  return out;
}

/** The command line that runs keepalived's checker alone, in the foreground, with files in `dir`. */
export function keepalivedArgv(dir: string, configPath: string): string[] {
  return [
    'keepalived',
    '--dont-fork',
    '--log-console',
    // No syslog: where /dev/log is missing (this machine) glibc falls back to opening /dev/console for
    // every line, which stalled keepalived's start for 20 s at 5,000 servers. Its console log is kept.
    '--no-syslog',
    '--check',
    '-f',
    configPath,
    '-p',
    join(dir, 'keepalived.pid'),
    '-c',
    join(dir, 'checkers.pid'),
  ];
}

/** Destinations keepalived removed so far (the shim's log), i.e. servers it declared down. */
export function removedDestinations(shimLog: string): number {
  if (!existsSync(shimLog)) return 0;
  return readFileSync(shimLog, 'utf8')
    .split('\n')
    .filter((l) => l === 'del-dest').length;
}
