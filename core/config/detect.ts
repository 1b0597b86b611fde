/** Picks the front end for a file (format.ts) and parses it. */
import { detectFormat, type ConfigFormat } from './format.ts';
import { parseKeepalived, type ParseOptions, type ParseResult } from './keepalived.ts';
import { parseNative } from './native.ts';

export { detectFormat, type ConfigFormat };

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
