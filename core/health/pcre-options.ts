/**
 * keepalived's `regex` + `regex_options` (PCRE2 compile options, keepalived check_http.c) as a
 * JavaScript RegExp that matches the same bodies. Three kinds of option:
 *
 * - a RegExp flag: caseless (i), multiline (m), dotall (s), utf (u: the body is then read as UTF-8);
 * - a rewrite of the pattern: `extended` (unescaped whitespace and `#` comments outside classes are
 *   dropped) and `$`: PCRE2's `$` without multiline also matches before a final newline, JavaScript's
 *   only at the very end, so `$` becomes `(?=\n?(?![\s\S]))` unless `dollar_endonly` is given;
 *   `firstline` is checked after the match (it must start at or before the first newline);
 * - options that change how PCRE2 compiles or optimises but not which bodies match a pattern JavaScript
 *   accepts (no_auto_possess, no_start_optimize, no_dotstar_anchor, use_offset_limit, auto_callout,
 *   never_utf, never_ucp, never_backslash_c, dupnames, no_auto_capture, match_unset_backref, alt_verbnames,
 *   allow_empty_class): accepted and ignored.
 *
 * `ungreedy`, `ucp`, `alt_bsux` and `alt_circumflex` change what a pattern means in ways a RegExp cannot
 * say; they are refused, as is any name keepalived does not know (keepalived silently ignores those).
 */

export interface JsRegex {
  source: string;
  flags: string;
  /** `firstline`: the match must start at or before the first newline at or after the start offset. */
  firstLine: boolean;
}

const FLAG: Readonly<Record<string, string>> = { caseless: 'i', multiline: 'm', dotall: 's', utf: 'u' };
const IGNORED = new Set([
  'no_auto_possess',
  'no_start_optimize',
  'no_dotstar_anchor',
  'use_offset_limit',
  'auto_callout',
  'never_utf',
  'never_ucp',
  'never_backslash_c',
  'dupnames',
  'no_auto_capture',
  'match_unset_backref',
  'alt_verbnames',
  'allow_empty_class',
]);
const HANDLED = new Set(['extended', 'dollar_endonly', 'firstline']);
const REFUSED: Readonly<Record<string, string>> = {
  ungreedy: 'inverts every quantifier',
  ucp: 'gives \\w, \\d and \\b Unicode meaning',
  alt_bsux: 'changes what \\u and \\x mean',
  alt_circumflex: 'lets ^ match after a final newline',
};

/** The PCRE `$` (end, or before a final newline) in JavaScript. */
const PCRE_DOLLAR = '(?=\\n?(?![\\s\\S]))';

/** Translates; throws a RangeError naming `field` and the option or pattern it cannot carry over. */
export function pcreToJs(pattern: string, options: readonly string[], field: string): JsRegex {
  let flags = '';
  for (const o of options) {
    const f = FLAG[o];
    if (f !== undefined) {
      if (!flags.includes(f)) flags += f;
    } else if (REFUSED[o] !== undefined) {
      throw new RangeError(
        `${field}: regex_options ${o} is not supported (it ${REFUSED[o]}, which JavaScript RegExp cannot express)`,
      );
    } else if (!IGNORED.has(o) && !HANDLED.has(o)) {
      throw new RangeError(`${field}: regex_options ${o} is not a PCRE2 option keepalived knows`);
    }
  }
  const extended = options.includes('extended');
  const rewriteDollar = !options.includes('dollar_endonly') && !flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (extended && /\s/.test(ch)) {
      // dropped, as PCRE2_EXTENDED does
    } else if (extended && ch === '#') {
      while (i + 1 < pattern.length && pattern[i + 1] !== '\n') i++;
    } else if (ch === '$' && rewriteDollar) {
      out += PCRE_DOLLAR;
    } else {
      out += ch;
    }
  }
  try {
    new RegExp(out, flags);
  } catch (err) {
    throw new RangeError(`${field}: regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  return { source: out, flags, firstLine: options.includes('firstline') };
}
