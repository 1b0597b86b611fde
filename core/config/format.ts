/**
 * Which front end reads a file: by extension, else by content. Apart from detect.ts so that a loader can
 * tell a keepalived.conf without loading the native format's YAML parser (functions/shared/load-config.ts).
 */
export type ConfigFormat = 'keepalived' | 'yaml' | 'json';

export function detectFormat(file: string, text: string): ConfigFormat {
  const f = file.toLowerCase();
  if (f.endsWith('.json')) return 'json';
  if (f.endsWith('.yaml') || f.endsWith('.yml')) return 'yaml';
  if (f.endsWith('.conf') || /keepalived/.test(f)) return 'keepalived';
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{')) {
    // keepalived.conf never starts with a brace; JSON does.
    return 'json';
  }
  // Native YAML has `field:` keys at the top level; keepalived.conf has `keyword … {` blocks.
  const firstLine = head.split('\n').find((l) => !/^\s*([#!].*)?$/.test(l)) ?? '';
  return /^[A-Za-z][A-Za-z0-9]*:(\s|$)/.test(firstLine) ? 'yaml' : 'keepalived';
}
