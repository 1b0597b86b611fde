/**
 * Runs track_file trackers (keepalived.md §1.4): each file holds an integer; the agent reads it at start,
 * whenever the directory reports a change (inotify through fs.watch) and on a poll as a backstop, and reports
 * the value when it differs from the last one. The engine adds value × weight to the priority (weight 0: any
 * non-zero value is a fault). A missing or unreadable file, or text that is not an integer, reads as 0.
 * `init_file VAL [overwrite]` writes VAL at start when the file is missing (always with overwrite).
 */
import { existsSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TrackFilePlan } from '../../core/app/vrrp-plan.ts';

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

function readValue(path: string): number {
  try {
    return parseTrackFileValue(readFileSync(path, 'utf8'));
  } catch {
    return 0;
  }
}

export class TrackFileRunner {
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /**
   * Starts watching every file and reports each one's current value at once (synchronously).
   * `pollMs` re-reads all files on a timer, for file systems without inotify.
   */
  constructor(
    files: Record<string, TrackFilePlan>,
    onChange: (v: FileValue) => void,
    opts: { pollMs?: number; log?: (message: string) => void } = {},
  ) {
    const last = new Map<string, number>();
    const check = (name: string, path: string) => {
      if (this.#stopped) return;
      const value = readValue(path);
      if (last.get(name) === value) return;
      last.set(name, value);
      onChange({ name, value });
    };
    const entries = Object.entries(files);
    for (const [name, f] of entries) {
      if (f.init && (f.init.overwrite || !existsSync(f.path))) {
        try {
          writeFileSync(f.path, `${f.init.value}\n`);
        } catch (e) {
          opts.log?.(`track_file ${name}: cannot write init_file ${f.path}: ${(e as Error).message}`);
        }
      }
      check(name, f.path);
      try {
        const base = basename(f.path);
        const w = watch(dirname(f.path), { persistent: false }, (_event, changed) => {
          if (changed === null || changed === base) check(name, f.path);
        });
        w.on('error', () => w.close());
        this.#watchers.push(w);
      } catch (e) {
        opts.log?.(`track_file ${name}: cannot watch ${dirname(f.path)}, polling: ${(e as Error).message}`);
      }
    }
    if (entries.length > 0) {
      this.#timer = setInterval(() => {
        for (const [name, f] of entries) check(name, f.path);
      }, opts.pollMs ?? 1000);
      this.#timer.unref();
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    if (this.#timer) clearInterval(this.#timer);
  }
}
