/**
 * Text from outside (alert summaries, webhook labels, agent names) made safe to print on one terminal
 * line: control characters are written as escapes, so nobody can forge a `[failover]` line with a newline
 * or repaint the terminal with ANSI sequences.
 *
 * Escaped: C0 controls (\n \r \t and the rest as \xNN), DEL, C1 controls (\u0080-\u009f), the Unicode
 * line and paragraph separators, and the bidirectional overrides that reorder what is shown. A backslash
 * is doubled, so an escape in the output always came from here.
 *
 * @example
 *   printable('web down\n[failover] forged \x1b[2J') === 'web down\\n[failover] forged \\x1b[2J'
 */
const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

// eslint-disable-next-line no-control-regex
const unsafe = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(unsafe, (ch) => {
    const n = named[ch];
    if (n !== undefined) return n;
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
