/**
 * track_file trackers (keepalived.conf(5) track_file): each file holds an integer; it is read at start, whenever the
 * TrackedFiles port says it may have changed (inotify on its directory) and on a poll as a backstop, and
 * the value is reported when it differs from the last one. The VRRP engine adds value × weight to the
 * priority (weight 0: any non-zero value is a fault). A missing or unreadable file, or text that is not an
 * integer, reads as 0. `init_file VAL [overwrite]` writes VAL at start when the file is missing (always
 * with overwrite).
 */
import type { TimerService, TrackedFiles, Clock } from '../ports/index.ts';
import type { TrackFilePlan } from './vrrp-plan.ts';

export interface FileValue {
  name: string;
  value: number;
}

/** The value keepalived takes from a track file's text: a leading (signed) integer, else 0. */
export function parseTrackFileValue(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  if (!m?.[1]) return 0;
  const n = Number.parseInt(m[1], 10);
  return Number.isSafeInteger(n) ? n : 0;
}

export interface TrackFileDeps {
  clock: Clock;
  /** The poll timer, id `file/poll`. */
  timers: TimerService;
  files: TrackedFiles;
  /** Re-read every file this often, for file systems without inotify (default 1000 ms). */
  pollMs?: number;
  log?: (message: string) => void;
}

/** Starts watching every file and reports each one's current value at once (synchronously). */
export function startTrackFiles(
  files: Record<string, TrackFilePlan>,
  onChange: (v: FileValue) => void,
  deps: TrackFileDeps,
): { stop(): void } {
  let stopped = false;
  const last = new Map<string, number>();
  const unwatch: Array<() => void> = [];
  const check = (name: string, path: string): void => {
    if (stopped) return;
    const text = deps.files.read(path);
    const value = text === undefined ? 0 : parseTrackFileValue(text);
    if (last.get(name) === value) return;
    last.set(name, value);
    onChange({ name, value });
  };
  const entries = Object.entries(files);
  for (const [name, f] of entries) {
    if (f.init && (f.init.overwrite || !deps.files.exists(f.path))) {
      try {
        deps.files.write(f.path, `${f.init.value}\n`);
      } catch (e) {
        deps.log?.(`track_file ${name}: cannot write init_file ${f.path}: ${(e as Error).message}`);
      }
    }
    check(name, f.path);
    try {
      unwatch.push(deps.files.watch(f.path, () => check(name, f.path)));
    } catch (e) {
      deps.log?.(`track_file ${name}: cannot watch ${f.path}'s directory, polling: ${(e as Error).message}`);
    }
  }
  const pollMs = deps.pollMs ?? 1000;
  const poll = (): void => {
    if (stopped) return;
    for (const [name, f] of entries) check(name, f.path);
    deps.timers.arm('file/poll', deps.clock.monotonicMs() + pollMs, poll);
  };
  if (entries.length > 0) deps.timers.arm('file/poll', deps.clock.monotonicMs() + pollMs, poll);
  return {
    stop() {
      stopped = true;
      deps.timers.cancel('file/poll');
      for (const u of unwatch) u();
      unwatch.length = 0;
    },
  };
}
