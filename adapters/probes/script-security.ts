// keepalived's script security check (lib/notify.c check_script_secure, keepalived.md §1 global_defs):
// a script that runs with root's uid or gid (or is set-uid/set-gid root) must not be replaceable by anyone
// but root. Every step of its path, as written and as resolved through symlinks, is looked at with lstat:
// a step owned by a non-root user, or a file / non-sticky directory writable by a non-root group or by
// everyone, makes the script insecure. A script run as an unprivileged user needs no such check.
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import type { RunAsIds } from '../system/run-as.ts';

export type ScriptCheck =
  | { ok: true; path: string; protected: boolean }
  | { ok: false; reason: 'not-found' | 'not-executable' | 'insecure'; message: string };

/** keepalived's is_executable: may `ids` execute a file with these bits? */
function executableBy(st: Stats, ids: RunAsIds): boolean {
  const m = st.mode;
  if (ids.uid === 0) return (m & 0o111) !== 0;
  if (ids.uid === st.uid) return (m & 0o100) !== 0;
  return ids.gid === st.gid ? (m & 0o010) !== 0 : (m & 0o001) !== 0;
}

/** A bare command name found through PATH, as execvp would (first regular executable file). */
function searchPath(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** The first unsafe step of `file` (each prefix directory, then the file), or undefined. */
function unsafeStep(file: string): string | undefined {
  const parts = file.split('/').filter((p) => p !== '');
  const steps = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    const st = lstatSync(step);
    if (!last && !st.isDirectory()) return `${step} is not a directory`;
    if (last && !st.isFile() && !st.isSymbolicLink()) return `${step} is not a regular file`;
    if (st.uid !== 0) return `${step} is owned by uid ${st.uid}, not root`;
    const guarded = st.isDirectory() ? (st.mode & 0o1000) === 0 : st.isFile();
    if (guarded && st.gid !== 0 && (st.mode & 0o020) !== 0)
      return `${step} is writable by group ${st.gid} (mode ${octal(st.mode)})`;
    if (guarded && (st.mode & 0o002) !== 0) return `${step} is writable by everyone (mode ${octal(st.mode)})`;
  }
  return undefined;
}

/**
 * Checks the command `argv0` run as `ids`. `protected` tells whether the root rule applied. Any step that
 * cannot be read counts as not found.
 */
export function checkScript(argv0: string, ids: RunAsIds, pathEnv = process.env['PATH'] ?? ''): ScriptCheck {
  const found = argv0.includes('/') ? argv0 : searchPath(argv0, pathEnv);
  if (found === undefined) return { ok: false, reason: 'not-found', message: `${argv0} is not in PATH` };
  let real: string;
  let st: Stats;
  try {
    real = realpathSync(found);
    st = statSync(real);
  } catch (e) {
    return { ok: false, reason: 'not-found', message: `${found}: ${(e as Error).message}` };
  }
  if (!st.isFile()) return { ok: false, reason: 'not-found', message: `${found} is not a regular file` };
  if (!executableBy(st, ids))
    return {
      ok: false,
      reason: 'not-executable',
      message: `${found} is not executable by uid:gid ${ids.uid}:${ids.gid}`,
    };
  const rootRuns =
    ids.uid === 0 ||
    ids.gid === 0 ||
    (st.uid === 0 && (st.mode & 0o4100) === 0o4100) ||
    (st.gid === 0 && (st.mode & 0o2010) === 0o2010);
  if (!rootRuns) return { ok: true, path: found, protected: false };
  // As keepalived: the directories resolved, the file name as written (it may be a symlink), then the target.
  let named: string;
  try {
    named = join(realpathSync(dirname(resolve(found))), basename(found));
  } catch (e) {
    return { ok: false, reason: 'not-found', message: `${found}: ${(e as Error).message}` };
  }
  for (const p of named === real ? [real] : [named, real]) {
    let problem: string | undefined;
    try {
      problem = unsafeStep(p);
    } catch (e) {
      return { ok: false, reason: 'not-found', message: `${p}: ${(e as Error).message}` };
    }
    if (problem !== undefined) return { ok: false, reason: 'insecure', message: problem };
  }
  return { ok: true, path: found, protected: true };
}
