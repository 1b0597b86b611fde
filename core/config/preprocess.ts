/**
 * The keepalived.conf pre-processor (reference keepalived.md §4): turns the main file and everything it
 * includes into a flat list of tokenised lines, each word carrying its own file, line and column.
 *
 * Handled here: `include` (and includer/includem/includew/includeb/includea) with csh braces and globs
 * relative to the including file; `@ID line` / `@^ID line` conditionals; `$NAME=value` definitions (a
 * trailing `\` continues a definition), `$NAME` / `${NAME}` expansion (recursive, lazy, undefined left
 * verbatim), the predefined `${_PWD} ${_INSTANCE} ${_HASH} ${_BANG} ${_RANDOM [MIN [MAX]]}`; and the line
 * generators `~SEQ(var,start,step,end)`, `~SEQx(…)` and `~LST(var,v1,…)` / `~LST({a,b},{1,2},…)`.
 *
 * File access comes in as functions, so this stays pure. Every limit violation is a diagnostic, never a
 * crash: include depth and cycles, file size, expansion depth and size, generated line count.
 */
import type { Diagnostics, SourcePos } from './diagnostics.ts';
import { stripComment, tokenize, type Token } from './lexer.ts';
import { dirname, expandBraces, hasWildcard, resolvePath } from './path.ts';

export interface SourceLine {
  file: string;
  line: number;
  tokens: Token[];
}

export interface Limits {
  /** Nested include depth. */
  includeDepth: number;
  /** Total characters read over all files. */
  totalChars: number;
  /** Nested `$NAME` expansion depth. */
  expansionDepth: number;
  /** Characters of one line after expansion. */
  lineChars: number;
  /** Lines produced by ~SEQ/~LST generators (all together). */
  generatedLines: number;
  /** Nesting depth of `{ … }` blocks (checked by the parser). */
  blockDepth: number;
}

export const defaultLimits: Limits = {
  includeDepth: 16,
  totalChars: 64 * 1024 * 1024,
  expansionDepth: 32,
  lineChars: 1024 * 1024,
  generatedLines: 1_000_000,
  blockDepth: 64,
};

export interface SourceAccess {
  /** Returns the file's text, or undefined if it does not exist. May throw (reported as an include error). */
  readFile?: (path: string) => string | undefined;
  /** Returns the paths matching an absolute glob pattern, sorted. */
  glob?: (pattern: string) => string[];
}

export interface PreprocessOptions extends SourceAccess {
  /** For `@ID` lines: keepalived's `-i ID` (default there: the host name up to the first dot). */
  configId?: string;
  /** For `${_INSTANCE}`. */
  instance?: string;
  /** For `${_RANDOM}`: a float in [0, 1). Without it `${_RANDOM}` is an error (configs stay deterministic). */
  random?: () => number;
  limits?: Partial<Limits>;
}

interface Definition {
  lines: string[];
}

const includeKeywords = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);
const defRe = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const generatorRe = /^\s*~(SEQx?|LST)\(/;

class Preprocessor {
  private readonly defs = new Map<string, Definition>();
  private readonly stack: string[] = [];
  private totalChars = 0;
  private generated = 0;
  private expansionAborted = false;
  private readonly limits: Limits;
  private readonly opts: PreprocessOptions;
  private readonly diags: Diagnostics;
  private readonly sink: (line: SourceLine) => void;

  constructor(opts: PreprocessOptions, diags: Diagnostics, sink: (line: SourceLine) => void) {
    this.opts = opts;
    this.diags = diags;
    this.sink = sink;
    this.limits = { ...defaultLimits, ...opts.limits };
  }

  file(path: string, text: string, from: SourcePos | undefined): void {
    if (this.stack.includes(path)) {
      const at = from ?? { file: path, line: 1, column: 1 };
      this.diags.error(at, {
        code: 'include',
        keyword: 'include',
        message: `include cycle: ${[...this.stack.slice(this.stack.indexOf(path)), path].join(' -> ')}`,
      });
      return;
    }
    if (this.stack.length >= this.limits.includeDepth) {
      const at = from ?? { file: path, line: 1, column: 1 };
      this.diags.error(at, {
        code: 'limit',
        keyword: 'include',
        message: `includes nested deeper than ${this.limits.includeDepth} levels`,
      });
      return;
    }
    this.totalChars += text.length;
    if (this.totalChars > this.limits.totalChars) {
      this.diags.error(from ?? { file: path, line: 1, column: 1 }, {
        code: 'limit',
        keyword: 'include',
        message: `configuration larger than ${this.limits.totalChars} characters in total`,
      });
      return;
    }
    this.stack.push(path);
    const lines = text.split('\n');
    let pendingDef: { name: string; lines: string[] } | undefined;
    for (let i = 0; i < lines.length; i++) {
      let raw = lines[i] as string;
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      const lineNo = i + 1;
      if (pendingDef) {
        const body = stripComment(raw);
        const cont = body.trimEnd().endsWith('\\');
        pendingDef.lines.push(cont ? body.trimEnd().slice(0, -1) : body);
        if (!cont) {
          this.defs.set(pendingDef.name, { lines: pendingDef.lines });
          pendingDef = undefined;
        }
        continue;
      }
      const text0 = stripComment(raw);
      if (text0.trim() === '') continue;
      const def = text0.includes('$') ? defRe.exec(text0) : null;
      if (def) {
        const name = def[1] as string;
        const value = (def[2] as string).trimEnd();
        if (value.endsWith('\\')) pendingDef = { name, lines: [value.slice(0, -1)] };
        else this.defs.set(name, { lines: [value.trim()] });
        continue;
      }
      this.line(path, lineNo, text0, 0, false);
    }
    if (pendingDef) this.defs.set(pendingDef.name, { lines: pendingDef.lines });
    this.stack.pop();
  }

  /** One logical line (comment already stripped); `offset` is the 0-based column of text[0]. */
  private line(file: string, lineNo: number, text: string, offset: number, fromCondition: boolean): void {
    const lead = text.length - text.trimStart().length;
    const body = text.slice(lead);
    const col0 = offset + lead;
    if (body.startsWith('@')) {
      const m = /^@(\^?)(\S*)(\s+|$)/.exec(body);
      const negate = m?.[1] === '^';
      const id = m?.[2] ?? '';
      const matches = this.opts.configId !== undefined && id === this.opts.configId;
      if (negate !== matches) {
        const skip = m?.[0].length ?? body.length;
        this.line(file, lineNo, body.slice(skip), col0 + skip, true);
      }
      return;
    }
    if (body.charCodeAt(0) === 126 /* ~ */ && generatorRe.test(body)) {
      this.generator(file, lineNo, body, col0);
      return;
    }
    const firstWord = body.startsWith('include') ? (/^\S+/.exec(body)?.[0] ?? '') : '';
    if (firstWord !== '' && includeKeywords.has(firstWord)) {
      const at = { file, line: lineNo, column: col0 + 1 };
      if (fromCondition) {
        this.diags.error(at, {
          code: 'include',
          keyword: firstWord,
          message: 'an include cannot be conditional (@ID) in keepalived; write it unconditionally',
        });
        return;
      }
      const toks = tokenize(body, { file, line: lineNo }, (k) => col0 + k + 1, this.diags);
      this.include(toks, at);
      return;
    }
    let expanded = body;
    let cols: number[] | undefined;
    if (body.includes('$')) {
      const r = this.expand(body, col0, { file, line: lineNo, column: col0 + 1 }, 0);
      expanded = r.text;
      cols = r.cols;
    }
    if (expanded.includes('\n')) {
      // A multi-line definition used on this line: each of its lines is a line of its own.
      let start = 0;
      for (const part of expanded.split('\n')) {
        const partCols = cols?.slice(start, start + part.length);
        start += part.length + 1;
        this.emit(file, lineNo, stripComment(part), (k) => (partCols?.[k] ?? col0) + 1);
      }
      return;
    }
    const c = cols;
    this.emit(file, lineNo, expanded, c ? (k) => (c[k] ?? col0) + 1 : (k) => col0 + k + 1);
  }

  private emit(file: string, lineNo: number, text: string, colOf: (i: number) => number): void {
    const tokens = tokenize(text, { file, line: lineNo }, colOf, this.diags);
    if (tokens.length > 0) this.sink({ file, line: lineNo, tokens });
  }

  private include(toks: Token[], at: SourcePos): void {
    const kw = toks[0]?.text ?? 'include';
    const arg = toks[1];
    if (!arg) {
      this.diags.error(at, {
        code: 'missing-value',
        keyword: kw,
        message: `${kw} needs a file name or glob`,
        expected: 'a path',
      });
      return;
    }
    const argAt = { file: arg.file, line: arg.line, column: arg.column };
    if (arg.text.includes('$')) {
      this.diags.error(argAt, {
        code: 'include',
        keyword: kw,
        message: 'an include path cannot use $NAME expansion in keepalived',
      });
      return;
    }
    const readFile = this.opts.readFile;
    if (!readFile) {
      this.diags.error(argAt, {
        code: 'include',
        keyword: kw,
        message: `cannot include '${arg.text}': no file access was given to the parser`,
      });
      return;
    }
    const base = dirname(at.file);
    const patterns = expandBraces(arg.text);
    // Like a glob, a brace alternative that matches no file is only a warning.
    const optional = patterns.length > 1;
    for (const pattern of patterns) {
      const abs = resolvePath(base, pattern);
      let paths: string[];
      if (hasWildcard(abs)) {
        try {
          paths = this.opts.glob ? this.opts.glob(abs) : [];
        } catch (e) {
          this.diags.error(argAt, {
            code: 'include',
            keyword: kw,
            message: `cannot expand '${abs}': ${errText(e)}`,
          });
          continue;
        }
        if (paths.length === 0) {
          this.diags.warn(argAt, {
            code: 'include',
            keyword: kw,
            message: `'${pattern}' matches no file (resolved to ${abs})`,
          });
        }
      } else paths = [abs];
      for (const p of paths) {
        let text: string | undefined;
        try {
          text = readFile(p);
        } catch (e) {
          this.diags.error(argAt, {
            code: 'include',
            keyword: kw,
            message: `cannot read '${p}': ${errText(e)}`,
          });
          continue;
        }
        if (text === undefined && optional) {
          this.diags.warn(argAt, { code: 'include', keyword: kw, message: `'${p}' does not exist; skipped` });
          continue;
        }
        if (text === undefined) {
          this.diags.error(argAt, {
            code: 'include',
            keyword: kw,
            message: `included file '${p}' does not exist (keepalived would skip it silently)`,
          });
          continue;
        }
        this.file(p, text, argAt);
      }
    }
  }

  /** Expands `$NAME`, `${NAME}` and the predefined names; returns the text and a column per character. */
  private expand(text: string, col0: number, at: SourcePos, depth: number): { text: string; cols: number[] } {
    if (depth === 0) this.expansionAborted = false;
    let out = '';
    const cols: number[] = [];
    const push = (s: string, col: number): void => {
      out += s;
      for (let k = 0; k < s.length; k++) cols.push(col);
    };
    if (depth > this.limits.expansionDepth) {
      this.expansionAborted = true;
      this.diags.error(at, {
        code: 'limit',
        keyword: '$',
        message: `variable expansion nested deeper than ${this.limits.expansionDepth} levels (a definition that refers to itself?)`,
      });
      return { text: '', cols: [] };
    }
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\\' && text[i + 1] === '$') {
        push('$', col0 + i);
        i += 2;
        continue;
      }
      if (ch !== '$') {
        push(ch, col0 + i);
        i++;
        continue;
      }
      let name: string | undefined;
      let args = '';
      let len = 0;
      if (text[i + 1] === '{') {
        const close = text.indexOf('}', i + 2);
        if (close > 0) {
          const inner = text.slice(i + 2, close).trim();
          const sp = inner.search(/\s/);
          name = sp < 0 ? inner : inner.slice(0, sp);
          args = sp < 0 ? '' : inner.slice(sp + 1).trim();
          len = close + 1 - i;
        }
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
        const after = m ? text[i + 1 + m[0].length] : undefined;
        if (m && (after === undefined || /\s/.test(after))) {
          name = m[0];
          len = 1 + m[0].length;
        }
      }
      const value =
        name !== undefined ? this.valueOf(name, args, { ...at, column: col0 + i + 1 }) : undefined;
      if (value === undefined) {
        push(ch, col0 + i);
        i++;
        continue;
      }
      const inner = value.includes('$')
        ? this.expand(value, col0 + i, { ...at, column: col0 + i + 1 }, depth + 1)
        : { text: value, cols: [] };
      if (this.expansionAborted) return { text: '', cols: [] };
      out += inner.text;
      for (let k = 0; k < inner.text.length; k++) cols.push(col0 + i);
      if (out.length > this.limits.lineChars) {
        this.expansionAborted = true;
        this.diags.error(at, {
          code: 'limit',
          keyword: '$',
          message: `line longer than ${this.limits.lineChars} characters after variable expansion`,
        });
        return { text: '', cols: [] };
      }
      i += len;
    }
    return { text: out, cols };
  }

  private valueOf(name: string, args: string, at: SourcePos): string | undefined {
    const def = this.defs.get(name);
    if (def) return def.lines.join('\n');
    switch (name) {
      case '_PWD':
        return dirname(this.stack[this.stack.length - 1] ?? '.');
      case '_INSTANCE':
        return this.opts.instance ?? '';
      case '_HASH':
        return '#';
      case '_BANG':
        return '!';
      case '_RANDOM': {
        const [lo, hi] = args
          .split(/\s+/)
          .filter((s) => s !== '')
          .map(Number);
        const min = Number.isInteger(lo) ? (lo as number) : 0;
        const max = Number.isInteger(hi) ? (hi as number) : 32767;
        if (!this.opts.random) {
          this.diags.error(at, {
            code: 'bad-value',
            keyword: '${_RANDOM}',
            message: '${_RANDOM} needs a random source; floatip parses configs deterministically',
          });
          return String(min);
        }
        return String(min + Math.floor(this.opts.random() * (max - min + 1)));
      }
      default:
        return undefined;
    }
  }

  private generator(file: string, lineNo: number, body: string, col0: number): void {
    const at = { file, line: lineNo, column: col0 + 1 };
    const kind = /^~(SEQx?|LST)/.exec(body)?.[1] ?? 'SEQ';
    const open = body.indexOf('(');
    let depth = 0;
    let close = -1;
    for (let k = open; k < body.length; k++) {
      if (body[k] === '(') depth++;
      else if (body[k] === ')' && --depth === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) {
      this.diags.error(at, { code: 'syntax', keyword: `~${kind}`, message: `~${kind}( has no closing )` });
      return;
    }
    const params = splitParams(body.slice(open + 1, close));
    const rest = body.slice(close + 1);
    const restCol = col0 + close + 1;
    const runs: Array<Array<[string, string]>> = [];
    if (kind === 'LST') {
      const first = params[0] ?? '';
      const names = first.startsWith('{') ? splitParams(first.slice(1, -1)) : [first];
      for (const v of params.slice(1)) {
        const values = v.startsWith('{') ? splitParams(v.slice(1, -1)) : [v];
        runs.push(names.map((nm, k) => [nm.trim(), (values[k] ?? '').trim()]));
      }
    } else {
      const [name, ...nums] = params.map((p) => p.trim());
      const parsed = nums.map(Number);
      const [a, b, c] =
        parsed.length === 1 ? [1, 1, parsed[0]] : parsed.length === 2 ? [parsed[0], 1, parsed[1]] : parsed;
      const start = a ?? NaN;
      const step = b ?? NaN;
      const end = c ?? NaN;
      if (!name || ![start, step, end].every(Number.isInteger) || step === 0) {
        this.diags.error(at, {
          code: 'bad-value',
          keyword: `~${kind}`,
          message: `~${kind} needs (var, start, step, end) with integers and a non-zero step`,
        });
        return;
      }
      for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
        runs.push([[name, kind === 'SEQx' ? v.toString(16) : String(v)]]);
        if (runs.length + this.generated > this.limits.generatedLines) break;
      }
    }
    for (const run of runs) {
      if (++this.generated > this.limits.generatedLines) {
        this.diags.error(at, {
          code: 'limit',
          keyword: `~${kind}`,
          message: `line generators produced more than ${this.limits.generatedLines} lines`,
        });
        return;
      }
      const saved = run.map(([nm]) => [nm, this.defs.get(nm)] as const);
      for (const [nm, v] of run) this.defs.set(nm, { lines: [v] });
      this.line(file, lineNo, rest, restCol, false);
      for (const [nm, prev] of saved) {
        if (prev) this.defs.set(nm, prev);
        else this.defs.delete(nm);
      }
    }
  }
}

function splitParams(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Pre-processes `text` (the content of `file`) into tokenised lines, reporting problems to `diags`. */
export function preprocess(
  text: string,
  file: string,
  opts: PreprocessOptions,
  diags: Diagnostics,
): SourceLine[] {
  const out: SourceLine[] = [];
  preprocessInto(text, file, opts, diags, (line) => out.push(line));
  return out;
}

/** preprocess, handing each line to `sink` as it is made instead of collecting them (parseKeepalived). */
export function preprocessInto(
  text: string,
  file: string,
  opts: PreprocessOptions,
  diags: Diagnostics,
  sink: (line: SourceLine) => void,
): void {
  new Preprocessor(opts, diags, sink).file(file, text, undefined);
}

/** The effective limits for a set of options. */
export function limitsOf(opts: PreprocessOptions): Limits {
  return { ...defaultLimits, ...opts.limits };
}
