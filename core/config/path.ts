/** POSIX path helpers for include resolution (core may not import node:path). */

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

/** Joins `rel` onto `base` unless `rel` is absolute, and normalises `.` and `..` segments. */
export function resolvePath(base: string, rel: string): string {
  const joined = isAbsolute(rel) ? rel : `${base}/${rel}`;
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!isAbsolute(joined)) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  if (isAbsolute(joined)) return `/${body}`;
  return body === '' ? '.' : body;
}

/** True when the pattern has glob wildcards (`*`, `?`, `[`). */
export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** csh-style brace expansion: `a{b,c}d` -> [`abd`, `acd`]; nested braces work; max `limit` results. */
export function expandBraces(pattern: string, limit = 1000): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  if (close < 0 || commas.length === 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const part = pattern.slice((bounds[k] ?? 0) + 1, bounds[k + 1]);
    for (const x of expandBraces(`${head}${part}${tail}`, limit)) {
      out.push(x);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
