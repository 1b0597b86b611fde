/**
 * The VRRP trackers (core/app/track-*.ts) on this machine: vrrp_script through child processes,
 * vrrp_track_process over /proc, track_file through fs.watch, each on Node timers. Composition only.
 */
import type { VrrpAgentPlan } from '../../core/app/vrrp-plan.ts';
import type { Clock } from '../../core/ports/index.ts';
import { startTrackScripts, type ScriptResult } from '../../core/app/track-scripts.ts';
import { startTrackProcesses, type ProcessQuorum } from '../../core/app/track-processes.ts';
import { startTrackFiles, type FileValue } from '../../core/app/track-files.ts';
// The adapters' own modules: the adapters/system barrel brings node:crypto and the cloud failover core.
import { systemClock } from '../../adapters/system/clock.ts';
import { spawnCommandCheck } from '../../adapters/system/command-check.ts';
import { procProcessTable } from '../../adapters/system/process-table.ts';
import { createTimerService } from '../../adapters/system/timers.ts';
import { fsTrackedFiles } from '../../adapters/system/tracked-files.ts';

export interface TrackerEvents {
  script(r: ScriptResult): void;
  file(v: FileValue): void;
  process(q: ProcessQuorum): void;
  warn(message: string): void;
}

/** Starts every tracker of a plan; `stop` ends them all. */
export function startTrackers(
  plan: Pick<VrrpAgentPlan, 'scripts' | 'files' | 'processes'>,
  on: TrackerEvents,
  clock: Clock = systemClock,
): { stop(): void } {
  const runners = [
    startTrackScripts(plan.scripts, on.script, {
      clock,
      timers: createTimerService(clock),
      check: spawnCommandCheck(),
    }),
    startTrackFiles(plan.files, on.file, {
      clock,
      timers: createTimerService(clock),
      files: fsTrackedFiles,
      log: on.warn,
    }),
    startTrackProcesses(plan.processes, on.process, {
      clock,
      timers: createTimerService(clock),
      table: procProcessTable,
    }),
  ];
  return { stop: () => runners.forEach((r) => r.stop()) };
}
