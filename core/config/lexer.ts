/**
 * keepalived.conf line lexing (reference keepalived.md §4): comments, quotes, escapes, words and braces.
 *
 * - `!` and `#` start a comment anywhere outside quotes; `\!` and `\#` are literal. `//` is not a comment.
 * - `"…"` and `'…'` are removed, the spaces inside kept, and adjacent parts join (`ab"c d"e` -> `abc de`).
 * - Inside double quotes the shell escapes `\n \t \\ \" \xHH \nnn \cC` are decoded.
 * - `{` and `}` are words of their own when they stand alone or end/start a word (`global_defs{`).
 */
import type { Diagnostics, SourcePos } from './diagnostics.ts';

export interface Token extends SourcePos {
  /** The word with quotes removed and escapes decoded. */
  text: string;
  /** True when any part of the word was quoted (such a `{` is not a brace). */
  quoted: boolean;
}

/** Removes a trailing comment, respecting quotes and `\#` / `\!`. */
export function stripComment(line: string): string {
  const bang = line.indexOf('!');
  const hash = line.indexOf('#');
  if (bang < 0 && hash < 0) return line;
  if (line.indexOf('"') < 0 && line.indexOf("'") < 0 && line.indexOf('\\') < 0) {
    return line.slice(0, bang < 0 ? hash : hash < 0 ? bang : Math.min(bang, hash));
  }
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '!' || ch === '#') return line.slice(0, i);
  }
  return line;
}

const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  e: '\x1b',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '!': '!',
  '#': '#',
  $: '$',
};

/** Decodes the escape starting at `text[i]` (a backslash); returns the decoded text and its length. */
function decodeEscape(text: string, i: number): [string, number] {
  const next = text[i + 1];
  if (next === undefined) return ['\\', 1];
  const simple = simpleEscapes[next];
  if (simple !== undefined) return [simple, 2];
  if (next === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2));
    if (m) return [String.fromCharCode(parseInt(m[0], 16)), 2 + m[0].length];
  }
  if (next >= '0' && next <= '7') {
    const m = /^[0-7]{1,3}/.exec(text.slice(i + 1));
    if (m) return [String.fromCharCode(parseInt(m[0], 8) & 0xff), 1 + m[0].length];
  }
  if (next === 'c' && i + 2 < text.length) {
    return [String.fromCharCode((text.charCodeAt(i + 2) & 0x1f) >>> 0), 3];
  }
  return [`\\${next}`, 2];
}

/**
 * Splits one comment-free line into words. `colOf(i)` gives the source column of character i (lines
 * built by `$NAME` expansion map every expanded character to the column of the reference).
 */
export function tokenize(
  text: string,
  at: { file: string; line: number },
  colOf: (i: number) => number,
  diags: Diagnostics,
): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12) {
      i++;
      continue;
    }
    const start = i;
    // Fast path: a plain word (no quotes, no backslash) is a slice of the line.
    let j = i;
    let plain = true;
    while (j < n) {
      const cj = text.charCodeAt(j);
      if (cj === 32 || cj === 9 || cj === 13 || cj === 10 || cj === 11 || cj === 12) break;
      if (cj === 34 || cj === 39 || cj === 92) {
        plain = false;
        break;
      }
      j++;
    }
    if (plain) {
      pushWord(tokens, text.slice(start, j), false, at, colOf, start, j);
      i = j;
      continue;
    }
    let out = '';
    let quoted = false;
    let quote = '';
    let quoteStart = 0;
    while (i < n) {
      const ch = text[i] as string;
      if (quote === '') {
        if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\v' || ch === '\f') break;
        if (ch === '"' || ch === "'") {
          quote = ch;
          quoted = true;
          quoteStart = i;
          i++;
          continue;
        }
        if (ch === '\\' && (text[i + 1] === '#' || text[i + 1] === '!')) {
          out += text[i + 1];
          i += 2;
          continue;
        }
        out += ch;
        i++;
        continue;
      }
      if (ch === quote) {
        quote = '';
        i++;
        continue;
      }
      if (ch === '\\' && quote === '"') {
        const [s, len] = decodeEscape(text, i);
        out += s;
        i += len;
        continue;
      }
      out += ch;
      i++;
    }
    if (quote !== '') {
      diags.error(
        { file: at.file, line: at.line, column: colOf(quoteStart) },
        {
          code: 'syntax',
          keyword: quote,
          message: `unterminated quoted string (no closing ${quote} on this line)`,
          expected: `a closing ${quote}`,
        },
      );
    }
    pushWord(tokens, out, quoted, at, colOf, start, i);
  }
  return tokens;
}

function pushWord(
  tokens: Token[],
  out: string,
  quoted: boolean,
  at: { file: string; line: number },
  colOf: (i: number) => number,
  start: number,
  end: number,
): void {
  const { file, line } = at;
  if (!quoted && out.length > 1 && out.endsWith('{')) {
    tokens.push({ file, line, column: colOf(start), text: out.slice(0, -1), quoted });
    tokens.push({ file, line, column: colOf(end - 1), text: '{', quoted: false });
  } else if (!quoted && out.length > 1 && out.startsWith('}')) {
    tokens.push({ file, line, column: colOf(start), text: '}', quoted: false });
    tokens.push({ file, line, column: colOf(start + 1), text: out.slice(1), quoted });
  } else {
    tokens.push({ file, line, column: colOf(start), text: out, quoted });
  }
}

/**
 * Splits a script command the way keepalived does: on unquoted spaces, `'…'` and `"…"` keep spaces.
 * `script "/bin/check 'a b' c"` -> [`/bin/check`, `a b`, `c`].
 */
export function splitCommand(command: string): string[] {
  const argv: string[] = [];
  let cur = '';
  let has = false;
  let quote = '';
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (quote !== '') {
      if (ch === quote) quote = '';
      else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (has) argv.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += ch;
    has = true;
  }
  if (has) argv.push(cur);
  return argv;
}
