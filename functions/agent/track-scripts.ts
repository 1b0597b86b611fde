/**
 * Runs vrrp_script checks (keepalived.md §1.4): each script every `interval`, killed at `timeout` (a
 * timeout counts as a failure), skipped while the previous run is still going. Only the exit status counts.
 * rise/fall follow keepalived's counter: it moves in 0..rise+fall-1 and the script is OK iff it is >= rise;
 * it starts at rise-1 (so the first result decides) or at 0 with init_fail.
 * Each script runs as its `user` (else script_user, else keepalived_script when it exists, else the
 * agent's user); a user that does not resolve makes every run a failure, never a run as root.
 */
import { spawn } from 'node:child_process';
import type { TrackScriptPlan } from '../../core/app/vrrp-plan.ts';
import { scriptRunAs, type RunAsIds } from '../../adapters/system/run-as.ts';

export interface ScriptResult {
  name: string;
  up: boolean;
}

/** keepalived's counter update; returns the new counter. */
export function nextCounter(counter: number, ok: boolean, rise: number, fall: number): number {
  if (ok) return counter < rise - 1 ? counter + 1 : rise + fall - 1;
  return counter > rise ? counter - 1 : 0;
}

export class TrackScriptRunner {
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(scripts: Record<string, TrackScriptPlan>, onChange: (r: ScriptResult) => void) {
    for (const [name, s] of Object.entries(scripts)) {
      let counter = s.initFail ? 0 : s.rise - 1;
      let last: boolean | undefined = s.initFail ? false : undefined;
      let running = false;
      let ids: RunAsIds | undefined | null;
      try {
        ids = scriptRunAs(s.runAs);
      } catch {
        ids = null;
      }
      const tick = () => {
        if (running || this.#stopped) return;
        running = true;
        void (ids === null ? Promise.resolve(false) : this.#runOnce(s, ids)).then((ok) => {
          running = false;
          if (this.#stopped) return;
          counter = nextCounter(counter, ok, s.rise, s.fall);
          const up = counter >= s.rise;
          if (up !== last) {
            last = up;
            onChange({ name, up });
          }
        });
      };
      tick();
      this.#timers.push(setInterval(tick, Math.max(10, s.intervalMs)));
    }
  }

  #runOnce(s: TrackScriptPlan, ids: RunAsIds | undefined): Promise<boolean> {
    const [cmd, ...args] = s.argv;
    if (!cmd) return Promise.resolve(false);
    return new Promise((resolve) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(cmd, args, { stdio: 'ignore', ...(ids ?? {}) });
      } catch {
        resolve(false);
        return;
      }
      let killTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      }, s.timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        resolve(ok);
      };
      child.once('error', () => done(false));
      child.once('exit', (code) => done(code === 0));
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }
}
