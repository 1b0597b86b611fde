import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Outcome } from '../../core/model/index.ts';
import { conflict, retry } from '../../core/model/index.ts';

const luaDir = join(dirname(fileURLToPath(import.meta.url)), 'lua');

/** A Lua script of ./lua, named `opName-<numberOfKeys>.lua` (the BullMQ convention). */
export interface LuaScript {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** The script files of ./lua by op name (listed once, on first use). */
let files: ReadonlyMap<string, { file: string; numberOfKeys: number }> | undefined;
function scriptFiles(): ReadonlyMap<string, { file: string; numberOfKeys: number }> {
  files ??= new Map(
    readdirSync(luaDir)
      .filter((f) => f.endsWith('.lua'))
      .map((file) => {
        const m = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
        if (!m || m[1] === undefined || m[2] === undefined)
          throw new Error(`lua/${file}: not named op-N.lua`);
        return [m[1], { file, numberOfKeys: Number(m[2]) }] as const;
      }),
  );
  return files;
}

const loaded = new Map<string, LuaScript>();

/**
 * The script `name`, read on its first use (a function's cold start reads the one or two it runs, not
 * all of them); `--- @include file` lines pull in a shared fragment from lua/includes.
 */
export function luaScript(name: string): LuaScript | undefined {
  const known = loaded.get(name);
  if (known) return known;
  const f = scriptFiles().get(name);
  if (!f) return undefined;
  const lua = readFileSync(join(luaDir, f.file), 'utf8').replace(
    /^--- @include (\S+)$/gm,
    (_l, inc: string) => readFileSync(join(luaDir, 'includes', inc), 'utf8'),
  );
  const s = { name, numberOfKeys: f.numberOfKeys, lua };
  loaded.set(name, s);
  return s;
}

/** Every script of ./lua (each read once). */
export function luaScripts(): LuaScript[] {
  return [...scriptFiles().keys()].map((n) => luaScript(n) as LuaScript);
}

type Args = (string | number | Buffer)[];

/** Runs a script by name with EVALSHA, loading it on NOSCRIPT (after a Redis restart, for one). */
export async function runScript(redis: Redis, name: string, keys: string[], args: Args): Promise<unknown> {
  const s = luaScript(name);
  if (!s) throw new Error(`no Lua script '${name}'`);
  return runLuaScript(redis, s, keys, args);
}

/** Runs `s` as a command of its name on `redis` (defined on first use), as runScript does. */
export async function runLuaScript(redis: Redis, s: LuaScript, keys: string[], args: Args): Promise<unknown> {
  const name = s.name;
  if (keys.length !== s.numberOfKeys)
    throw new Error(`${name}: wants ${s.numberOfKeys} keys, got ${keys.length}`);
  const client = redis as Redis & Record<string, (...a: unknown[]) => Promise<unknown>>;
  if (typeof client[name] !== 'function')
    redis.defineCommand(name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
  const fn = client[name];
  if (!fn) throw new Error(`${name}: defineCommand failed`);
  return fn.call(redis, ...keys, ...args);
}

/** The negative codes our scripts return, mapped in one place. */
export const scriptErrors = {
  [-1]: 'locked by another owner',
  [-2]: 'lock lost (expired or taken over)',
  [-3]: 'a newer epoch exists',
} as const;

export function codeOutcome(code: number, what: string): Outcome<never> {
  const text = (scriptErrors as Record<number, string>)[code] ?? `unknown script code ${code}`;
  return code === -1 ? retry(`${what}: ${text}`, 100) : conflict(`${what}: ${text}`);
}

/** Any thrown Redis/network error becomes `retry`: the store is unreachable, nothing was decided. */
export function storeDown(err: unknown): Outcome<never> {
  return retry(`redis unreachable: ${err instanceof Error ? err.message : String(err)}`, 1000);
}
