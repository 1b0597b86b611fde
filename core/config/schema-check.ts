/** Runs the zod schema and turns its issues into located diagnostics. */
import { configSchema, type ConfigParsed } from '../model/index.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { Locate } from './resolve.ts';

/** `virtualRouterId` -> `virtual_router_id` (the keepalived keyword, for messages). */
export function keywordOf(path: ReadonlyArray<PropertyKey>, native: boolean): string {
  const strs = path.filter((p): p is string => typeof p === 'string');
  if (native) return path.map(String).join('.');
  const last = strs[strs.length - 1] ?? '';
  return last.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
}

export function checkSchema(
  input: unknown,
  diags: Diagnostics,
  locate: Locate,
  native: boolean,
  written: (path: ReadonlyArray<string | number>) => boolean = () => false,
): ConfigParsed | undefined {
  const r = configSchema.safeParse(input);
  if (r.success) return r.data;
  const before = diags.list.length;
  for (const issue of r.error.issues) {
    // Unknown native fields were reported (with a suggestion) before the schema ran.
    if (native && issue.code === 'unrecognized_keys') continue;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const extra: { expected?: string } = {};
    if (issue.code === 'invalid_type') extra.expected = String(issue.expected);
    if (issue.code === 'invalid_value') extra.expected = issue.values.map(String).join(', ');
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    // A value that was written but refused has been reported already; do not call it missing too.
    if (missing && written(path)) continue;
    diags.error(locate(path), {
      code: missing ? 'missing-required' : 'schema',
      keyword: keywordOf(path, native),
      message: missing
        ? `missing required ${native ? `field '${path.join('.')}'` : `'${keywordOf(path, false)}'`}`
        : native
          ? `${path.join('.') || '(document)'}: ${issue.message}`
          : issue.message,
      ...extra,
    });
  }
  if (diags.list.length === before && !diags.hasErrors) {
    diags.error(locate([]), {
      code: 'schema',
      keyword: '',
      message: 'the configuration does not match the schema',
    });
  }
  return undefined;
}
