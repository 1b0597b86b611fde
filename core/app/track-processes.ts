/**
 * vrrp_track_process trackers (keepalived.conf(5) vrrp_track_process): a process matches when its name (/proc/PID/comm, or
 * argv[0] with full_command) equals `process` and its arguments match `parameters` (exact: the same list;
 * initial: they start the list; partial: they start the list and the last one may be cut short). The
 * tracker is up while the count is within quorum..quorum_max. A change is reported after fork_delay
 * (gaining quorum) or terminate_delay (losing it), and dropped if the count returns in the meantime. The
 * first scan reports at once. keepalived listens on the proc connector; this scans the ProcessTable port
 * (adapters/system/process-table.ts reads /proc) every `pollMs`.
 */
import type { Clock, ProcessEntry, ProcessTable, TimerService } from '../ports/index.ts';
import type { TrackProcessPlan } from './vrrp-plan.ts';

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

/** Counts the processes matching each block in one pass over the table. */
export function countProcesses(
  plans: ReadonlyArray<readonly [string, TrackProcessPlan]>,
  table: ProcessTable,
): Map<string, number> {
  const counts = new Map<string, number>(plans.map(([name]) => [name, 0]));
  const needAll = plans.some(([, p]) => p.fullCommand);
  const names = new Set(plans.map(([, p]) => p.process.slice(0, COMM_LEN)));
  const entries: ProcessEntry[] = table.list((comm) => needAll || names.has(comm));
  for (const { comm, argv } of entries) {
    for (const [name, p] of plans)
      if (matchesProcess(p, comm, argv)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

export interface TrackProcessDeps {
  clock: Clock;
  /** Timers `process/scan` and `process/delay/NAME`. */
  timers: TimerService;
  table: ProcessTable;
  /** Scan period (default 1000 ms). */
  pollMs?: number;
}

/** Scans at once (reporting every block synchronously), then every `pollMs`. */
export function startTrackProcesses(
  processes: Record<string, TrackProcessPlan>,
  onChange: (q: ProcessQuorum) => void,
  deps: TrackProcessDeps,
): { stop(): void } {
  const plans = Object.entries(processes);
  let stopped = false;
  const delays = new Set<string>();
  const reported = new Map<string, boolean>();
  const pollMs = deps.pollMs ?? 1000;
  const scan = (): void => {
    if (stopped) return;
    const counts = countProcesses(plans, deps.table);
    for (const [name, p] of plans) {
      const count = counts.get(name) ?? 0;
      const up = count >= p.quorum && (p.quorumMax === undefined || count <= p.quorumMax);
      const was = reported.get(name);
      const delayId = `process/delay/${name}`;
      if (was === up) {
        if (delays.delete(delayId)) deps.timers.cancel(delayId);
        continue;
      }
      const delay = was === undefined ? 0 : up ? p.forkDelayMs : p.terminateDelayMs;
      if (delay <= 0) {
        reported.set(name, up);
        onChange({ name, up, count });
        continue;
      }
      if (delays.has(delayId)) continue;
      delays.add(delayId);
      deps.timers.arm(delayId, deps.clock.monotonicMs() + delay, () => {
        delays.delete(delayId);
        if (stopped) return;
        reported.set(name, up);
        onChange({ name, up, count });
      });
    }
    deps.timers.arm('process/scan', deps.clock.monotonicMs() + pollMs, scan);
  };
  if (plans.length > 0) scan();
  return {
    stop() {
      stopped = true;
      deps.timers.cancel('process/scan');
      for (const id of delays) deps.timers.cancel(id);
      delays.clear();
    },
  };
}
