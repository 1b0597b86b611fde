/**
 * Building blocks shared by every part of the configuration model (see config.ts for the whole).
 *
 * The model is written as zod schemas so that one definition gives the TypeScript types, validates the
 * native YAML/JSON format and checks what the keepalived.conf translator produced. Field names are the
 * keepalived keywords in camelCase (`delay_loop` -> `delayLoop`), so an operator can find them in the
 * keepalived.conf(5) man page. Times are seconds as decimals, like keepalived's TIMER values.
 */
import * as z from 'zod';

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return ipv4Re.test(text);
}

/** True for an IPv6 address in any of its textual forms (including an embedded IPv4 tail and a %zone). */
export function isIpv6(text: string): boolean {
  const noZone = text.split('%')[0] ?? '';
  if (!/^[0-9a-fA-F:.]+$/.test(noZone) || !noZone.includes(':')) return false;
  let body = noZone;
  let groupsFromV4 = 0;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpv4(tail)) return false;
    body = `${body.slice(0, lastColon + 1)}0:0`;
    groupsFromV4 = 0;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = all.length + groupsFromV4;
  return halves.length === 2 ? count < 8 : count === 8;
}

/** The address family of a literal address, or undefined when it is neither. */
export function ipFamily(text: string): 'inet' | 'inet6' | undefined {
  if (isIpv4(text)) return 'inet';
  if (isIpv6(text)) return 'inet6';
  return undefined;
}

export const ipAddressSchema = z
  .string()
  .refine((s) => ipFamily(s) !== undefined, { message: 'expected an IPv4 or IPv6 address' });

export const ipv4Schema = z.string().refine(isIpv4, { message: 'expected an IPv4 address' });

/** Seconds, decimal, never negative (keepalived TIMER: microsecond resolution). */
export const secondsSchema = z.number().finite().nonnegative();

export const portSchema = z.number().int().min(0).max(65535);

export const boolSchema = z.boolean();

/**
 * A script to run: `notify_master "/bin/x arg" user group`. `argv` is the command split the way
 * keepalived splits it (on unquoted spaces; `'…'` keeps spaces), `command` the text as written.
 */
export const scriptCommandSchema = z.strictObject({
  command: z.string().min(1),
  argv: z.array(z.string()).min(1),
  user: z.string().optional(),
  group: z.string().optional(),
});
export type ScriptCommand = z.output<typeof scriptCommandSchema>;

/** A user (and optional group) scripts run as: `script_user U [G]`, `user U [G]`. */
export const runAsSchema = z.strictObject({ user: z.string().min(1), group: z.string().optional() });
export type RunAs = z.output<typeof runAsSchema>;

/** A FIFO keepalived writes events to: `notify_fifo PATH [user [group]]`. */
export const fifoSchema = z.strictObject({
  path: z.string().min(1),
  user: z.string().optional(),
  group: z.string().optional(),
});
export type Fifo = z.output<typeof fifoSchema>;

/**
 * How a tracker changes priority. `weight` 0 means "failed -> FAULT"; `reverse` flips the sign rule.
 * Omitted weight means "the tracked object's own weight" (scripts, files, processes).
 */
export const trackRefSchema = z.strictObject({
  name: z.string().min(1),
  weight: z.number().int().min(-254).max(254).optional(),
  reverse: z.boolean().default(false),
});
export type TrackRef = z.output<typeof trackRefSchema>;

/** `track_interface { IF [weight W [reverse]] }`: weight 0 (default) puts the instance in FAULT when down. */
export const trackInterfaceSchema = z.strictObject({
  name: z.string().min(1),
  weight: z.number().int().min(-253).max(253).default(0),
  reverse: z.boolean().default(false),
});
export type TrackInterface = z.output<typeof trackInterfaceSchema>;

/** Makes the keys K of T required and defined: the shape of a value after defaults were resolved. */
export type WithDefaults<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };
