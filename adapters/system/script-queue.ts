/**
 * The ScriptQueue port on child processes: keepalived's LVS scripts run one after another (never blocking
 * the agent), each killed (SIGKILL) after `timeoutSec`, each as the user it names (else keepalived_script
 * when it exists, else the agent's user). A user that does not resolve means the script does not run
 * (logged), never that it runs as root (test/functions/agent/script-user.test.ts).
 */
import type { ChildProcess, spawn } from 'node:child_process';
import type { RunAs } from '../../core/model/index.ts';
import type { Logger, ScriptQueue } from '../../core/ports/index.ts';
import { scriptRunAs, type RunAsIds } from './run-as.ts';

/**
 * node:child_process is loaded at the first run, not with this module: an agent whose config has no
 * scripts never loads it (about 0.6 MB resident; test/functions/agent/agent-modules.test.ts).
 */
const spawnScript = (...a: Parameters<typeof spawn>): ChildProcess =>
  process.getBuiltinModule('node:child_process').spawn(...a);

export function createScriptQueue(log: Logger, timeoutSec = 10, prefix = 'lvs'): ScriptQueue {
  let queue: Promise<void> = Promise.resolve();
  return {
    run(argv: readonly string[], why: string, who: RunAs | undefined): void {
      const [cmd, ...args] = argv;
      if (!cmd) return;
      let ids: RunAsIds | undefined;
      try {
        ids = scriptRunAs(who);
      } catch (e) {
        log.warn(`${prefix}: ${why} script ${argv.join(' ')} will not run: ${(e as Error).message}`);
        return;
      }
      const job = (): Promise<void> =>
        new Promise((resolve) => {
          let child: ChildProcess;
          try {
            child = spawnScript(cmd, args, { stdio: 'ignore', ...(ids ?? {}) });
          } catch (e) {
            log.warn(`${prefix}: ${why} script ${cmd} could not start: ${(e as Error).message}`);
            resolve();
            return;
          }
          const timer = setTimeout(() => {
            log.warn(`${prefix}: ${why} script ${argv.join(' ')} ran over ${timeoutSec} s; killing it`);
            child.kill('SIGKILL');
          }, timeoutSec * 1000);
          child.once('error', (e) => {
            clearTimeout(timer);
            log.warn(`${prefix}: ${why} script ${cmd} could not start: ${e.message}`);
            resolve();
          });
          child.once('exit', (code, signal) => {
            clearTimeout(timer);
            if (code !== 0) log.warn(`${prefix}: ${why} script ${argv.join(' ')} exited ${signal ?? code}`);
            resolve();
          });
        });
      queue = queue.then(job, job);
    },
    idle: () => queue,
  };
}
