/** Runs the real keepalived (Debian's package) inside a lab namespace, with its files in a temp dir. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, LabNode } from '../../../helpers/netns.ts';

export interface RunningKeepalived {
  process: ChildProcess;
  dir: string;
  configPath: string;
  /** Everything keepalived logged to the console so far. */
  log(): string;
  /** SIGTERM and wait for exit (keepalived sends priority 0 and removes its VIPs). */
  stop(): Promise<void>;
  /** SIGKILL on the whole keepalived process tree. */
  kill(): void;
}

export function startKeepalived(lab: Lab, node: LabNode | string, config: string): RunningKeepalived {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-ka-'));
  const configPath = join(dir, 'keepalived.conf');
  writeFileSync(configPath, config);
  const child = lab.spawn(node, [
    'keepalived',
    '-n',
    '-l',
    '-D',
    '-P',
    '-f',
    configPath,
    '-p',
    join(dir, 'keepalived.pid'),
    '-r',
    join(dir, 'vrrp.pid'),
    '-c',
    join(dir, 'checkers.pid'),
  ]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    dir,
    configPath,
    log: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    kill() {
      // The VRRP child is a separate process: kill every process in the tree via its pid files' parent.
      lab.exec(node, ['sh', '-c', `pkill -KILL -P ${child.pid ?? 0}; kill -KILL ${child.pid ?? 0}`], {
        allowFail: true,
      });
    },
  };
}
