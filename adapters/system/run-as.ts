// MISC_CHECK `user USER [GROUP]`: names to uid/gid from /etc/passwd and /etc/group (passwd(5), group(5)),
// read directly rather than via a shell. Without GROUP the user's primary group applies, as keepalived
// does (getpwnam's pw_gid). An unknown name is an error: the script never silently runs as root.
import { readFileSync } from 'node:fs';

export interface RunAsFiles {
  passwd: string;
  group: string;
}

export const SYSTEM_RUN_AS_FILES: RunAsFiles = { passwd: '/etc/passwd', group: '/etc/group' };

export interface RunAsIds {
  uid: number;
  gid: number;
}

/** The colon-separated record whose first field is `name`, or undefined. */
function lookup(file: string, name: string): string[] | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields[0] === name) return fields;
  }
  return undefined;
}

function id(text: string | undefined, file: string, name: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new RangeError(`${file}: entry ${JSON.stringify(name)} has no numeric id`);
  }
  return Number(text);
}

/** Resolve `user [group]` to ids; throws an Error naming the unknown user or group and the file. */
export function resolveRunAs(
  user: string,
  group?: string,
  files: RunAsFiles = SYSTEM_RUN_AS_FILES,
): RunAsIds {
  const pw = lookup(files.passwd, user);
  if (pw === undefined) throw new RangeError(`unknown user ${JSON.stringify(user)} (not in ${files.passwd})`);
  const uid = id(pw[2], files.passwd, user);
  if (group === undefined) return { uid, gid: id(pw[3], files.passwd, user) };
  const gr = lookup(files.group, group);
  if (gr === undefined)
    throw new RangeError(`unknown group ${JSON.stringify(group)} (not in ${files.group})`);
  return { uid, gid: id(gr[2], files.group, group) };
}

/** The user keepalived runs scripts as when neither the script nor `script_user` names one. */
export const DEFAULT_SCRIPT_USER = 'keepalived_script';

/** True when `name` has an entry in the passwd file. */
export function userExists(name: string, files: RunAsFiles = SYSTEM_RUN_AS_FILES): boolean {
  return lookup(files.passwd, name) !== undefined;
}

/**
 * Who runs a script, keepalived's way: the script's own `user U [G]` (or `script_user`, which the caller
 * passes the same way), else `keepalived_script` when that user exists, else `undefined`: the agent's own
 * user (usually root). Throws (naming the user or group) for a name that does not resolve.
 */
export function scriptRunAs(
  runAs: { user: string; group?: string | undefined } | undefined,
  files: RunAsFiles = SYSTEM_RUN_AS_FILES,
): RunAsIds | undefined {
  if (runAs !== undefined) return resolveRunAs(runAs.user, runAs.group, files);
  return userExists(DEFAULT_SCRIPT_USER, files)
    ? resolveRunAs(DEFAULT_SCRIPT_USER, undefined, files)
    : undefined;
}
