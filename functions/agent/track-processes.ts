/**
 * Runs vrrp_track_process trackers (keepalived.md §1.4) by scanning /proc: a process matches when its name
 * (/proc/PID/comm, or argv[0] of /proc/PID/cmdline with full_command) equals `process` and its arguments
 * match `parameters` (exact: the same list; initial: they start the list; partial: they start the list and
 * the last one may be cut short). The tracker is up while the count is within quorum..quorum_max. A change
 * is reported after fork_delay (gaining quorum) or terminate_delay (losing it), and dropped if the count
 * returns in the meantime. The first scan reports at once. keepalived listens on the proc connector; this
 * polls (every `pollMs`), reading cmdline only for processes whose name could match.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { TrackProcessPlan } from '../../core/app/vrrp-plan.ts';

export interface ProcessQuorum {
  name: string;
  up: boolean;
  /** Matching processes at the scan that decided it. */
  count: number;
}

/** Linux keeps at most 15 bytes of a command name in /proc/PID/comm (TASK_COMM_LEN - 1). */
const COMM_LEN = 15;

/** Whether one process (its comm and NUL-split cmdline) matches a track_process block. */
export function matchesProcess(p: TrackProcessPlan, comm: string, argv: readonly string[]): boolean {
  if (p.fullCommand ? argv[0] !== p.process : comm !== p.process.slice(0, COMM_LEN)) return false;
  const want = p.parameters;
  if (want.length === 0) return true;
  const args = argv.slice(1);
  if (p.paramMatch === 'exact' && args.length !== want.length) return false;
  if (args.length < want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const a = args[i] ?? '';
    const last = i === want.length - 1;
    if (last && p.paramMatch === 'partial' ? !a.startsWith(w) : a !== w) return false;
  }
  return true;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between readdir and read
  }
}

/** Counts the processes matching each block in one pass over /proc. */
export function countProcesses(
  plans: ReadonlyArray<readonly [string, TrackProcessPlan]>,
): Map<string, number> {
  const counts = new Map<string, number>(plans.map(([name]) => [name, 0]));
  const needAll = plans.some(([, p]) => p.fullCommand);
  const names = new Set(plans.map(([, p]) => p.process.slice(0, COMM_LEN)));
  for (const pid of readdirSync('/proc')) {
    const c0 = pid.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    const comm = readText(`/proc/${pid}/comm`)?.replace(/\n$/, '');
    if (comm === undefined || (!needAll && !names.has(comm))) continue;
    const cmdline = readText(`/proc/${pid}/cmdline`) ?? '';
    const argv = cmdline.split('\0');
    if (argv.at(-1) === '') argv.pop();
    for (const [name, p] of plans)
      if (matchesProcess(p, comm, argv)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

export class TrackProcessRunner {
  #timer: NodeJS.Timeout | undefined;
  #delays = new Map<string, NodeJS.Timeout>();
  #stopped = false;

  /** Scans at once (reporting every block synchronously), then every `pollMs` (default 1000). */
  constructor(
    processes: Record<string, TrackProcessPlan>,
    onChange: (q: ProcessQuorum) => void,
    opts: { pollMs?: number } = {},
  ) {
    const plans = Object.entries(processes);
    if (plans.length === 0) return;
    const reported = new Map<string, boolean>();
    const scan = () => {
      if (this.#stopped) return;
      const counts = countProcesses(plans);
      for (const [name, p] of plans) {
        const count = counts.get(name) ?? 0;
        const up = count >= p.quorum && (p.quorumMax === undefined || count <= p.quorumMax);
        const was = reported.get(name);
        if (was === up) {
          const pending = this.#delays.get(name);
          if (pending) clearTimeout(pending);
          this.#delays.delete(name);
          continue;
        }
        const delay = was === undefined ? 0 : up ? p.forkDelayMs : p.terminateDelayMs;
        if (delay <= 0) {
          reported.set(name, up);
          onChange({ name, up, count });
          continue;
        }
        if (this.#delays.has(name)) continue;
        this.#delays.set(
          name,
          setTimeout(() => {
            this.#delays.delete(name);
            if (this.#stopped) return;
            reported.set(name, up);
            onChange({ name, up, count });
          }, delay),
        );
      }
    };
    scan();
    this.#timer = setInterval(scan, opts.pollMs ?? 1000);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const t of this.#delays.values()) clearTimeout(t);
    this.#delays.clear();
  }
}
