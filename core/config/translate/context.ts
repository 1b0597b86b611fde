/**
 * Shared machinery of the keepalived.conf translator: keyword tables with "did you mean", typed argument
 * readers that refuse what keepalived would silently default, and a map from model paths to source
 * positions (used to place schema and cross-reference errors on the right line).
 */
import type { Diagnostics, SourcePos } from '../diagnostics.ts';
import type { Token } from '../lexer.ts';
import type { Node } from '../parser.ts';
import { closest } from '../suggest.ts';
import { splitCommand } from '../lexer.ts';
import { ipFamily } from '../../model/index.ts';

export type Obj = Record<string, unknown>;

/**
 * A position kept in the side table: a line and column of the first file marked, packed into one small
 * integer, or (another file, or beyond what packs) a copy of the position. Never the token itself, so
 * the tree and its tokens are garbage once translated.
 */
type Kept = number | SourcePos;
/** One object's recorded fields: [key, kept, key, kept, ...] while few, a Map once there are many. */
type SideRecord = Array<string | number | Kept> | Map<string | number, Kept>;

/** Columns per packed line; lines up to MAX_LINE keep the packed value a small integer (a V8 Smi). */
const COLUMNS = 2048;
const MAX_LINE = 2 ** 19;
/** Fields a record holds as an array before it becomes a Map (lists such as real_server have thousands). */
const FEW = 16;

/** `obj[key]` and `obj['key']` are one property: an index-like key is compared as a number. */
function fieldKey(key: string | number): string | number {
  if (typeof key === 'number') return key;
  const c = key.charCodeAt(0);
  return c >= 0x30 && c <= 0x39 && /^(?:0|[1-9][0-9]{0,8})$/.test(key) ? Number(key) : key;
}

export class Ctx {
  readonly diags: Diagnostics;
  /**
   * Where each field of each built object was written (object -> its fields' positions). Compact: at
   * 10,000 real servers a record per object as a dictionary-mode object, holding the tokens (and so their
   * text) alive, was ~12 MB of the agent's heap while the configuration was read, its largest part
   * (bench/checker/rss.bench.ts); test/core/config/side-table.test.ts checks the positions it answers.
   */
  private readonly side = new Map<object, SideRecord>();
  /** The file whose positions are packed (the first one marked). */
  private file: string | undefined;

  constructor(diags: Diagnostics) {
    this.diags = diags;
  }

  private keep(pos: SourcePos): Kept {
    this.file ??= pos.file;
    const { file, line, column } = pos;
    if (
      file === this.file &&
      Number.isInteger(line) &&
      Number.isInteger(column) &&
      line >= 0 &&
      line < MAX_LINE &&
      column >= 0 &&
      column < COLUMNS
    )
      return line * COLUMNS + column;
    return { file, line, column };
  }

  private position(kept: Kept): SourcePos {
    if (typeof kept !== 'number') return kept;
    return { file: this.file ?? '', line: Math.floor(kept / COLUMNS), column: kept % COLUMNS };
  }

  /** Records that `obj[key]` was written at `pos` (first one wins). */
  mark(obj: object, key: string | number, pos: SourcePos): void {
    const k = fieldKey(key);
    const rec = this.side.get(obj);
    if (rec === undefined) {
      this.side.set(obj, [k, this.keep(pos)]);
      return;
    }
    if (rec instanceof Map) {
      if (!rec.has(k)) rec.set(k, this.keep(pos));
      return;
    }
    for (let i = 0; i < rec.length; i += 2) if (rec[i] === k) return;
    if (rec.length < 2 * FEW) {
      this.side.set(obj, rec.concat(k, this.keep(pos)));
      return;
    }
    const map = new Map<string | number, Kept>();
    for (let i = 0; i < rec.length; i += 2) map.set(rec[i] as string | number, rec[i + 1] as Kept);
    map.set(k, this.keep(pos));
    this.side.set(obj, map);
  }

  /** Where `obj[key]` was written, if recorded. */
  positionOf(obj: object, key: string | number): SourcePos | undefined {
    const rec = this.side.get(obj);
    if (rec === undefined) return undefined;
    const k = fieldKey(key);
    if (rec instanceof Map) {
      const kept = rec.get(k);
      return kept === undefined ? undefined : this.position(kept);
    }
    for (let i = 0; i < rec.length; i += 2) if (rec[i] === k) return this.position(rec[i + 1] as Kept);
    return undefined;
  }

  /** True when the last step of `path` was written in the file (even if its value was refused). */
  written(root: object, path: ReadonlyArray<string | number>): boolean {
    let obj: unknown = root;
    for (let i = 0; i < path.length - 1; i++) {
      if (obj === null || typeof obj !== 'object') return false;
      obj = (obj as Record<string, unknown>)[path[i] as string];
    }
    const last = path[path.length - 1];
    return (
      obj !== null &&
      typeof obj === 'object' &&
      last !== undefined &&
      this.positionOf(obj, last) !== undefined
    );
  }

  /** The position of the deepest recorded step of `path` from `root`. */
  locate(root: object, path: ReadonlyArray<string | number>): SourcePos | undefined {
    let obj: unknown = root;
    let best: SourcePos | undefined;
    for (const seg of path) {
      if (obj === null || typeof obj !== 'object') break;
      const hit = this.positionOf(obj, seg);
      if (hit) best = hit;
      obj = (obj as Record<string, unknown>)[seg];
    }
    return best;
  }

  error(
    at: SourcePos,
    keyword: string,
    message: string,
    extra: { expected?: string; suggestion?: string } = {},
  ): void {
    this.diags.error(at, { code: 'bad-value', keyword, message, ...extra });
  }

  warn(
    at: SourcePos,
    keyword: string,
    message: string,
    code: 'deprecated' | 'ignored' | 'adjusted' = 'adjusted',
    /** keepalived reports it as a configuration error (see ConfigDiagnostic.keepalivedError). */
    keepalivedError = false,
  ): void {
    this.diags.warn(at, { code, keyword, message, keepalivedError });
  }
}

/** A keyword handler: reads a statement into the object being built. */
export type Handler = (node: Node, target: Obj, ctx: Ctx, path: string) => void;

export interface KeywordSpec {
  handler: Handler;
  /** The keyword is an old spelling: accepted with a warning naming `deprecatedFor`. */
  deprecatedFor?: string;
  /** keepalived's own deprecation notice for it is a configuration error (`keepalived -t` exits 5). */
  keepalivedError?: boolean;
}

export type KeywordTable = Record<string, Handler | KeywordSpec>;

/** Runs each statement of a block through the table; unknown keywords are errors (warnings if lenient). */
export function walk(
  children: Node[],
  table: KeywordTable,
  target: Obj,
  ctx: Ctx,
  path: string,
  where: string,
): void {
  for (const node of children) {
    const kw = node.keyword.text;
    const entry = Object.hasOwn(table, kw) ? table[kw] : undefined;
    if (entry === undefined) {
      unknownKeyword(node, Object.keys(table), ctx, where);
      continue;
    }
    const spec: KeywordSpec = typeof entry === 'function' ? { handler: entry } : entry;
    if (spec.deprecatedFor !== undefined) {
      ctx.diags.warn(node.keyword, {
        code: 'deprecated',
        keyword: kw,
        message: `'${kw}' is deprecated; use '${spec.deprecatedFor}'`,
        keepalivedError: spec.keepalivedError === true,
      });
    }
    spec.handler(node, target, ctx, path);
  }
}

export function unknownKeyword(node: Node, known: string[], ctx: Ctx, where: string): void {
  const kw = node.keyword.text;
  const suggestion = closest(kw, known);
  const init = {
    code: 'unknown-keyword' as const,
    keyword: kw,
    message: `unknown keyword '${kw}' in ${where}`,
    ...(suggestion !== undefined ? { suggestion } : {}),
  };
  if (ctx.diags.lenient)
    ctx.diags.warn(node.keyword, { ...init, message: `${init.message} (ignored: --lenient)` });
  else ctx.diags.error(node.keyword, init);
}

// ---------------------------------------------------------------- argument readers

export function noBlock(node: Node, ctx: Ctx): void {
  if (node.children !== undefined && node.open) {
    ctx.diags.error(node.open, {
      code: 'syntax',
      keyword: node.keyword.text,
      message: `'${node.keyword.text}' does not take a { } block`,
    });
  }
}

/** The statement's block; an error (and an empty list) when it has none. */
export function block(node: Node, ctx: Ctx): Node[] {
  if (node.children === undefined) {
    ctx.diags.error(node.args[0] ?? node.keyword, {
      code: 'syntax',
      keyword: node.keyword.text,
      message: `'${node.keyword.text}' needs a { … } block`,
      expected: `${node.keyword.text} … {`,
    });
    return [];
  }
  return node.children;
}

export function maxArgs(node: Node, n: number, ctx: Ctx, what = 'value'): boolean {
  const extra = node.args[n];
  if (extra) {
    ctx.diags.error(extra, {
      code: 'extra-value',
      keyword: node.keyword.text,
      message: `unexpected '${extra.text}' after ${node.keyword.text}`,
      expected: n === 0 ? 'no value' : `${n} ${what}${n > 1 ? 's' : ''}`,
    });
    return false;
  }
  return true;
}

/** The first argument, or an error naming what was expected. */
export function arg(node: Node, ctx: Ctx, expected: string, index = 0): Token | undefined {
  const t = node.args[index];
  if (!t) {
    ctx.diags.error(node.keyword, {
      code: 'missing-value',
      keyword: node.keyword.text,
      message: `'${node.keyword.text}' needs a value`,
      expected,
    });
  }
  return t;
}

const boolWords: Record<string, boolean> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
};

/** `keyword [BOOL]`: a bare keyword means true. */
export function readFlag(node: Node, ctx: Ctx, index = 0): boolean | undefined {
  noBlock(node, ctx);
  const t = node.args[index];
  if (!t) return true;
  maxArgs(node, index + 1, ctx);
  return readBool(t, node.keyword.text, ctx);
}

export function readBool(t: Token, keyword: string, ctx: Ctx): boolean | undefined {
  const v = boolWords[t.text];
  if (v === undefined) {
    const s = closest(t.text, Object.keys(boolWords));
    ctx.error(t, keyword, `'${t.text}' is not a boolean`, {
      expected: 'on, off, true, false, yes or no (lower case)',
      ...(s !== undefined ? { suggestion: s } : {}),
    });
  }
  return v;
}

/** A flag that takes no value at all. */
export function readBare(node: Node, ctx: Ctx): true {
  noBlock(node, ctx);
  maxArgs(node, 0, ctx);
  return true;
}

export function parseNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export function readIntToken(
  t: Token,
  keyword: string,
  min: number,
  max: number,
  ctx: Ctx,
): number | undefined {
  const n = /^[+-]?\d+$/.test(t.text) ? Number(t.text) : undefined;
  if (n === undefined || n < min || n > max || !Number.isSafeInteger(n)) {
    ctx.error(t, keyword, `'${t.text}' is not a valid ${keyword}`, { expected: `an integer ${min}..${max}` });
    return undefined;
  }
  return n;
}

export function readNumToken(
  t: Token,
  keyword: string,
  min: number,
  max: number,
  ctx: Ctx,
): number | undefined {
  const n = parseNumber(t.text);
  if (n === undefined || n < min || n > max) {
    ctx.error(t, keyword, `'${t.text}' is not a valid ${keyword}`, { expected: `a number ${min}..${max}` });
    return undefined;
  }
  return n;
}

export function readInt(node: Node, ctx: Ctx, min: number, max: number): number | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, `an integer ${min}..${max}`);
  if (!t) return undefined;
  maxArgs(node, 1, ctx);
  return readIntToken(t, node.keyword.text, min, max, ctx);
}

/** Decimal seconds (keepalived TIMER). */
export function readSeconds(node: Node, ctx: Ctx, min = 0, max = 4294967): number | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, `seconds ${min}..${max}`);
  if (!t) return undefined;
  maxArgs(node, 1, ctx);
  return readNumToken(t, node.keyword.text, min, max, ctx);
}

export function readString(node: Node, ctx: Ctx, expected = 'a value'): string | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, expected);
  if (!t) return undefined;
  maxArgs(node, 1, ctx);
  return t.text;
}

export function readEnumToken<T extends string>(
  t: Token,
  keyword: string,
  values: readonly T[],
  ctx: Ctx,
): T | undefined {
  if ((values as readonly string[]).includes(t.text)) return t.text as T;
  const s = closest(t.text, values);
  ctx.error(t, keyword, `'${t.text}' is not a valid ${keyword}`, {
    expected: values.join(', '),
    ...(s !== undefined ? { suggestion: s } : {}),
  });
  return undefined;
}

export function readEnum<T extends string>(node: Node, ctx: Ctx, values: readonly T[]): T | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, values.join(', '));
  if (!t) return undefined;
  maxArgs(node, 1, ctx);
  return readEnumToken(t, node.keyword.text, values, ctx);
}

export function readIpToken(t: Token, keyword: string, ctx: Ctx): string | undefined {
  if (ipFamily(t.text) === undefined) {
    ctx.error(t, keyword, `'${t.text}' is not an IP address`, { expected: 'an IPv4 or IPv6 address' });
    return undefined;
  }
  return t.text;
}

export function readIp(node: Node, ctx: Ctx): string | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, 'an IPv4 or IPv6 address');
  if (!t) return undefined;
  maxArgs(node, 1, ctx);
  return readIpToken(t, node.keyword.text, ctx);
}

/** `keyword CMD [user [group]]` -> ScriptCommand. */
export function readScript(node: Node, ctx: Ctx, allowUser = true): Obj | undefined {
  noBlock(node, ctx);
  const t = arg(node, ctx, 'a command (quote it when it has arguments)');
  if (!t) return undefined;
  const extra = node.args[allowUser ? 3 : 1];
  if (extra) {
    ctx.diags.error(extra, {
      code: 'extra-value',
      keyword: node.keyword.text,
      message:
        `keepalived runs only '${t.text}' and ignores '${node.args
          .slice(allowUser ? 3 : 1)
          .map((a) => a.text)
          .join(' ')}'` + (allowUser ? ' (after the user and group)' : ''),
      expected: `the whole command in quotes: ${node.keyword.text} "${node.args.map((a) => a.text).join(' ')}"`,
    });
    return undefined;
  }
  const argv = splitCommand(t.text);
  if (argv.length === 0) {
    ctx.error(t, node.keyword.text, 'empty command', { expected: 'a command' });
    return undefined;
  }
  const out: Obj = { command: t.text, argv };
  if (allowUser && node.args[1]) out.user = node.args[1].text;
  if (allowUser && node.args[2]) out.group = node.args[2].text;
  return out;
}

/** Sets `target[field]` when the value is defined, recording the position; duplicates warn (last wins). */
export function put(target: Obj, field: string, value: unknown, node: Node, ctx: Ctx, path: string): void {
  if (value === undefined) {
    // Written but invalid (already reported): remember it so "missing" is not reported as well.
    ctx.mark(target, field, node.args[0] ?? node.keyword);
    return;
  }
  if (field in target && target[field] !== undefined && !Array.isArray(target[field])) {
    ctx.warn(node.keyword, node.keyword.text, `'${node.keyword.text}' given twice; the last one counts`);
  }
  target[field] = value;
  ctx.mark(target, field, node.args[0] ?? node.keyword);
  void path;
}

/** Handler factories for the common shapes. */
export const h = {
  flag:
    (field: string): Handler =>
    (n, t, c, p) =>
      put(t, field, readFlag(n, c), n, c, p),
  bare:
    (field: string, value: unknown = true): Handler =>
    (n, t, c, p) => {
      readBare(n, c);
      put(t, field, value, n, c, p);
    },
  int:
    (field: string, min: number, max: number): Handler =>
    (n, t, c, p) =>
      put(t, field, readInt(n, c, min, max), n, c, p),
  secs:
    (field: string, min = 0, max = 4294967): Handler =>
    (n, t, c, p) =>
      put(t, field, readSeconds(n, c, min, max), n, c, p),
  str:
    (field: string, expected?: string): Handler =>
    (n, t, c, p) =>
      put(t, field, readString(n, c, expected), n, c, p),
  ip:
    (field: string): Handler =>
    (n, t, c, p) =>
      put(t, field, readIp(n, c), n, c, p),
  enumOf:
    <T extends string>(field: string, values: readonly T[]): Handler =>
    (n, t, c, p) =>
      put(t, field, readEnum(n, c, values), n, c, p),
  script:
    (field: string, allowUser = true): Handler =>
    (n, t, c, p) =>
      put(t, field, readScript(n, c, allowUser), n, c, p),
  runAs:
    (field: string): Handler =>
    (n, t, c, p) => {
      noBlock(n, c);
      const u = arg(n, c, 'a user name');
      if (!u) return;
      maxArgs(n, 2, c);
      put(t, field, n.args[1] ? { user: u.text, group: n.args[1].text } : { user: u.text }, n, c, p);
    },
};

export function deprecated(handler: Handler, canonical: string, keepalivedError = false): KeywordSpec {
  return { handler, deprecatedFor: canonical, keepalivedError };
}

/** Every statement of a block as plain words (for lists like `notification_email`, `group`). */
export function words(children: Node[]): Token[] {
  return children.flatMap((n) => [n.keyword, ...n.args]);
}

export { ipFamily };
