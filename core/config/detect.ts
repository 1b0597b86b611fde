/** Picks the front end for a file: by extension, else by content. */
import { parseKeepalived, type ParseOptions, type ParseResult } from './keepalived.ts';
import { parseNative } from './native.ts';

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

/** Parses a configuration of any supported format. */
export function parseConfigText(
  text: string,
  opts: ParseOptions & { format?: ConfigFormat } = {},
): ParseResult {
  const file = opts.file ?? 'keepalived.conf';
  const format = opts.format ?? detectFormat(file, text);
  if (format === 'keepalived') return parseKeepalived(text, opts);
  const native: Parameters<typeof parseNative>[1] = { file, format };
  if (opts.lenient !== undefined) native.lenient = opts.lenient;
  if (opts.maxDiagnostics !== undefined) native.maxDiagnostics = opts.maxDiagnostics;
  return parseNative(text, native);
}
