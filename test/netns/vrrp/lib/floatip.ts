/** Runs `floatip agent` inside a lab namespace with its config, control socket and notify log in a temp dir. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VrrpInstanceStatus } from '../../../../core/app/vrrp-service.ts';
import type { Lab, LabNode } from '../../../helpers/netns.ts';

const launcher = fileURLToPath(new URL('../../../../bin/floatip.mjs', import.meta.url));

export interface RunningFloatip {
  process: ChildProcess;
  dir: string;
  configPath: string;
  socketPath: string;
  log(): string;
  /** `floatip status --json` through the control socket. */
  status(): Promise<{ instances: VrrpInstanceStatus[] }>;
  /**
   * Waits until the agent answers on its control socket (Node start-up can take seconds on a loaded
   * machine); throws with the agent's output if it exits first.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Rewrites the config file (for SIGHUP reload tests). */
  writeConfig(config: string): void;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  cleanup(): void;
}

export function startFloatip(
  lab: Lab,
  node: LabNode | string,
  config: string,
  extraArgs: string[] = [],
  /** Another tree's bin/floatip.mjs (benchmarks compare against a baseline checkout). */
  launcherPath: string = launcher,
): RunningFloatip {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-agent-'));
  const configPath = join(dir, 'keepalived.conf');
  const socketPath = join(dir, 'agent.sock');
  writeFileSync(configPath, config);
  const child = lab.spawn(node, [
    process.execPath,
    launcherPath,
    'agent',
    '--config',
    configPath,
    '--socket',
    socketPath,
    ...extraArgs,
  ]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    dir,
    configPath,
    socketPath,
    log: () => out,
    async status() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the agent exited (${child.exitCode ?? child.signalCode}):\n${out}`);
      const { controlRequest } = await import('../../../../adapters/system/control-server.ts');
      return (await controlRequest(socketPath, 'status', 5000)) as Awaited<
        ReturnType<RunningFloatip['status']>
      >;
    },
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await this.status();
          return;
        } catch (e) {
          if (child.exitCode !== null || child.signalCode !== null) throw e;
          if (Date.now() > deadline)
            throw new Error(`the agent did not start within ${timeoutMs} ms:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    writeConfig: (text) => writeFileSync(configPath, text),
    signal: (sig) => void child.kill(sig),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
