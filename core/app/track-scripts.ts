/**
 * vrrp_script trackers (keepalived.conf(5) vrrp_script): each script every `interval`, killed at `timeout` (a timeout
 * counts as a failure), skipped while the previous run is still going. Only the exit status counts.
 * rise/fall follow keepalived's counter: it moves in 0..rise+fall-1 and the script is OK iff it is >= rise;
 * it starts at rise-1 (so the first result decides) or at 0 with init_fail. The command runs through the
 * CommandCheck port (adapters/system/command-check.ts: as its `user`, else script_user, else
 * keepalived_script when it exists, else the agent's user; never as root for a user that does not resolve).
 */
import type { Clock, CommandCheck, TimerService } from '../ports/index.ts';
import type { TrackScriptPlan } from './vrrp-plan.ts';

export interface ScriptResult {
  name: string;
  up: boolean;
}

/** keepalived's counter update; returns the new counter. */
export function nextCounter(counter: number, ok: boolean, rise: number, fall: number): number {
  if (ok) return counter < rise - 1 ? counter + 1 : rise + fall - 1;
  return counter > rise ? counter - 1 : 0;
}

export interface TrackScriptDeps {
  clock: Clock;
  /** One timer per script, id `script/NAME`. */
  timers: TimerService;
  check: CommandCheck;
}

/** Starts every script at once (the first run is now); `stop` ends them. */
export function startTrackScripts(
  scripts: Record<string, TrackScriptPlan>,
  onChange: (r: ScriptResult) => void,
  deps: TrackScriptDeps,
): { stop(): void } {
  let stopped = false;
  const ids: string[] = [];
  for (const [name, s] of Object.entries(scripts)) {
    const id = `script/${name}`;
    ids.push(id);
    const interval = Math.max(10, s.intervalMs);
    let counter = s.initFail ? 0 : s.rise - 1;
    let last: boolean | undefined = s.initFail ? false : undefined;
    let running = false;
    const tick = (): void => {
      if (stopped) return;
      deps.timers.arm(id, deps.clock.monotonicMs() + interval, tick);
      if (running) return;
      running = true;
      void deps.check.run(s.argv, s.timeoutMs, s.runAs).then((ok) => {
        running = false;
        if (stopped) return;
        counter = nextCounter(counter, ok, s.rise, s.fall);
        const up = counter >= s.rise;
        if (up !== last) {
          last = up;
          onChange({ name, up });
        }
      });
    };
    tick();
  }
  return {
    stop() {
      stopped = true;
      for (const id of ids) deps.timers.cancel(id);
    },
  };
}
