/**
 * The notify queue on child processes and FIFOs (core/app/notify.ts decides what runs for which state):
 * every hook of every state change runs in one queue, each awaited (with a timeout) before the next
 * starts; FIFOs are held open read-write for the agent's life.
 */
import type { ChildProcess, spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { NotifyHookSet } from '../../core/app/vrrp-plan.ts';
import {
  fifoLine,
  notifyArgv,
  stateScript,
  type NotifyEvent,
  type NotifyHooks,
  type NotifyQueue,
} from '../../core/app/notify.ts';
import { scriptRunAs, type RunAsIds } from './run-as.ts';

/**
 * node:child_process is loaded at the first run, not with this module: an agent whose config has no
 * scripts never loads it (about 0.6 MB resident; test/functions/agent/agent-modules.test.ts).
 */
const spawnScript = (...a: Parameters<typeof spawn>): ChildProcess =>
  process.getBuiltinModule('node:child_process').spawn(...a);

/**
 * A plan's hooks with the user each runs as (own `user`, else `script_user`, else `keepalived_script` if
 * it exists, else the agent's user). A user that no longer resolves leaves that hook out, with a warning:
 * the script never falls back to running as root.
 */
export function resolveHooks(set: NotifyHookSet, warn: (message: string) => void): NotifyHooks {
  const out: NotifyHooks = {};
  const { runAs, ...argvs } = set;
  for (const [k, argv] of Object.entries(argvs) as Array<[keyof typeof argvs, string[] | undefined]>) {
    if (!argv) continue;
    try {
      const ids = scriptRunAs(runAs?.[k]);
      out[k] = ids ? { argv, ids } : { argv };
    } catch (e) {
      warn(`notify script ${argv.join(' ')} will not run: ${(e as Error).message}`);
    }
  }
  return out;
}

export interface NotifierOptions {
  /** FIFO paths (notify_fifo, vrrp_notify_fifo) that get one line per event. */
  fifos: string[];
  /** Seconds a script may run before it is killed (SIGTERM, then SIGKILL 2 s later). */
  scriptTimeoutSec: number;
  /** Seconds for notify_stop scripts (keepalived kills them after 1 s). */
  stopTimeoutSec: number;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Called when a script has finished: how long it ran and how it ended (the agent's metrics). */
  onScript?: (run: ScriptRun) => void;
}

/** One notify script run: `outcome` is `ok`, `failed` (non-zero exit), `timeout` or `not-started`. */
export interface ScriptRun {
  state: string;
  seconds: number;
  outcome: 'ok' | 'failed' | 'timeout' | 'not-started';
}

export class Notifier implements NotifyQueue {
  #options: NotifierOptions;
  #queue: Promise<void> = Promise.resolve();
  #fifos = new Map<string, FileHandle>();

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  /** Queues the hooks of one state change; resolves when they (and all earlier ones) have finished. */
  notify(e: NotifyEvent): Promise<void> {
    const run = async () => {
      const timeout = e.state === 'STOP' ? this.#options.stopTimeoutSec : this.#options.scriptTimeoutSec;
      const own = stateScript(e);
      if (own) await this.#run(own.argv, timeout, own.ids, e.state);
      if (e.hooks.notify)
        await this.#run(notifyArgv(e.hooks.notify, e), timeout, e.hooks.notify.ids, e.state);
      for (const fifo of this.#options.fifos) await this.#writeFifo(fifo, fifoLine(e));
    };
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  /** Resolves when everything queued so far has run. */
  idle(): Promise<void> {
    return this.#queue;
  }

  #run(argv: string[], timeoutSec: number, ids: RunAsIds | undefined, state: string): Promise<void> {
    const [cmd, ...args] = argv;
    if (!cmd) return Promise.resolve();
    const t0 = performance.now();
    const report = (outcome: ScriptRun['outcome']): void =>
      this.#options.onScript?.({ state, seconds: (performance.now() - t0) / 1000, outcome });
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawnScript(cmd, args, { stdio: 'ignore', ...(ids ?? {}) });
      } catch (err) {
        this.#options.log('warn', `notify script ${cmd} could not start: ${(err as Error).message}`);
        report('not-started');
        resolve();
        return;
      }
      let killTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const timer = setTimeout(() => {
        this.#options.log('warn', `notify script ${argv.join(' ')} ran over ${timeoutSec} s; terminating it`);
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      }, timeoutSec * 1000);
      const done = (outcome: ScriptRun['outcome']) => {
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        report(timedOut ? 'timeout' : outcome);
        resolve();
      };
      child.once('error', (err) => {
        this.#options.log('warn', `notify script ${cmd} could not start: ${err.message}`);
        done('not-started');
      });
      child.once('exit', (code, signal) => {
        if (code !== 0) this.#options.log('warn', `notify script ${argv.join(' ')} exited ${signal ?? code}`);
        done(code === 0 ? 'ok' : 'failed');
      });
    });
  }

  async #writeFifo(path: string, line: string): Promise<void> {
    try {
      // Held open read-write for the agent's life, as keepalived does: a FIFO whose reader comes and goes
      // neither blocks the agent nor loses lines the reader has not read yet.
      let fh = this.#fifos.get(path);
      if (!fh) {
        fh = await open(path, constants.O_RDWR | constants.O_NONBLOCK);
        this.#fifos.set(path, fh);
      }
      await fh.write(line);
    } catch (e) {
      this.#options.log('warn', `notify fifo ${path}: ${(e as Error).message}`);
    }
  }

  /** Waits for queued hooks, then closes the FIFOs. */
  async close(): Promise<void> {
    await this.#queue;
    for (const fh of this.#fifos.values()) await fh.close().catch(() => undefined);
    this.#fifos.clear();
  }
}
