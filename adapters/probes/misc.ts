// MISC_CHECK: run a script in its own process group; the exit status is the result (core/health reads
// `code`: 0 up, 1 down, 2..255 misc_dynamic weight). On misc_timeout the whole group gets SIGTERM and,
// 2 s later, SIGKILL (keepalived check_misc.c); the attempt reports the timeout at once. `user U [G]`
// (or script_user) runs it as that user, else keepalived_script when it exists, else the agent's own user
// (run-as.ts); an unknown name fails the attempt, nothing runs.
import { spawn } from 'node:child_process';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce } from './result.ts';
import { scriptRunAs } from '../system/run-as.ts';

export type MiscRequest = Extract<ProbeRequest, { kind: 'misc' }>;

/** Grace between SIGTERM and SIGKILL for a timed-out script's process group. */
export const MISC_KILL_GRACE_MS = 2_000;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function miscProbe(req: MiscRequest): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const [file, ...args] = req.argv;
    const name = file ?? '(empty)';
    if (file === undefined) return s.finish(false, 'MISC_CHECK: empty misc_path');
    let uid = req.uid;
    let gid = req.gid;
    if (uid === undefined || gid === undefined) {
      try {
        const ids = scriptRunAs(
          req.user === undefined
            ? undefined
            : { user: req.user, ...(req.group === undefined ? {} : { group: req.group }) },
        );
        uid ??= ids?.uid;
        gid ??= ids?.gid;
      } catch (err) {
        // never fall back to the agent's own user (often root)
        return s.finish(false, `MISC_CHECK ${name}: user ${req.user ?? ''}: ${errorText(err)}`);
      }
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        detached: true,
        stdio: 'ignore',
        ...(uid === undefined ? {} : { uid }),
        ...(gid === undefined ? {} : { gid }),
      });
    } catch (err) {
      return s.finish(false, `MISC_CHECK ${name}: ${errorText(err)}`);
    }
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      const pid = child.pid;
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), MISC_KILL_GRACE_MS);
      killTimer.unref();
      s.finish(false, `MISC_CHECK ${name}: timed out after ${req.timeoutMs} ms`);
    }, req.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      s.finish(false, `MISC_CHECK ${name}: ${errorText(err)}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // A script killed by SIGTERM may leave children behind: make sure the group is gone.
      if (signal === 'SIGTERM' && child.pid !== undefined) {
        killGroup(child.pid, 'SIGKILL');
        if (killTimer) clearTimeout(killTimer);
      }
      if (code !== null) s.finish(code === 0, `MISC_CHECK ${name}: exit status ${code}`, code);
      else s.finish(false, `MISC_CHECK ${name}: killed by ${signal ?? 'a signal'}`);
    });
  });
}
