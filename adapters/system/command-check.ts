/**
 * The CommandCheck port on child processes (vrrp_script): the command runs as its user (else
 * keepalived_script when it exists, else the agent's user), SIGTERM at the timeout and SIGKILL 2 s later;
 * true iff it exited 0 in time. A user that does not resolve makes every run a failure, never a run as
 * root (test/functions/agent/script-user.test.ts).
 */
import type { ChildProcess, spawn } from 'node:child_process';
import type { RunAs } from '../../core/model/index.ts';
import type { CommandCheck } from '../../core/ports/index.ts';
import { scriptRunAs, type RunAsIds } from './run-as.ts';

/**
 * node:child_process is loaded at the first run, not with this module: an agent whose config has no
 * scripts never loads it (about 0.6 MB resident; test/functions/agent/agent-modules.test.ts).
 */
const spawnScript = (...a: Parameters<typeof spawn>): ChildProcess =>
  process.getBuiltinModule('node:child_process').spawn(...a);

export function spawnCommandCheck(): CommandCheck {
  /** Users resolved once per `user:group` (null: does not resolve). */
  const users = new Map<string, RunAsIds | undefined | null>();
  const idsOf = (runAs: RunAs | undefined): RunAsIds | undefined | null => {
    const key = runAs ? `${runAs.user}:${runAs.group ?? ''}` : '';
    if (!users.has(key)) {
      try {
        users.set(key, scriptRunAs(runAs));
      } catch {
        users.set(key, null);
      }
    }
    return users.get(key);
  };
  return {
    run(argv, timeoutMs, runAs) {
      const ids = idsOf(runAs);
      const [cmd, ...args] = argv;
      if (!cmd || ids === null) return Promise.resolve(false);
      return new Promise((resolve) => {
        let child: ChildProcess;
        try {
          child = spawnScript(cmd, args, { stdio: 'ignore', ...(ids ?? {}) });
        } catch {
          resolve(false);
          return;
        }
        let killTimer: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
        }, timeoutMs);
        const done = (ok: boolean) => {
          clearTimeout(timer);
          if (killTimer) clearTimeout(killTimer);
          resolve(ok);
        };
        child.once('error', () => done(false));
        child.once('exit', (code) => done(code === 0));
      });
    },
  };
}
