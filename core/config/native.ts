/**
 * The native format: the same model as YAML or JSON, validated by the same zod schemas and resolved by the
 * same resolver as keepalived.conf. Errors carry the file, line and column of the offending node (found
 * through the yaml package's document tree and LineCounter) and the field path; unknown fields get a
 * "did you mean". Field names are the model's (camelCase keepalived keywords): see examples/floatip.yaml.
 *
 * `cloud:` is the extension point for provider settings (a passthrough object for now).
 */
import { LineCounter, isMap, isNode, isScalar, parseDocument, stringify, type Document } from 'yaml';
import { configSchema, type Config } from '../model/index.ts';
import { Diagnostics, type SourcePos } from './diagnostics.ts';
import type { ParseResult } from './keepalived.ts';
import { resolveParsed, type Locate } from './resolve.ts';
import { checkSchema } from './schema-check.ts';
import { closest } from './suggest.ts';

export type NativeFormat = 'yaml' | 'json';

export interface NativeOptions {
  file?: string;
  /** Defaults to the file extension (.json -> json), else yaml. */
  format?: NativeFormat;
  /** Unknown fields become warnings instead of errors. */
  lenient?: boolean;
  maxDiagnostics?: number;
  /** Refuse documents larger than this many characters (default 64 MiB). */
  maxChars?: number;
}

/** Every field name the model knows, for "did you mean" on unknown native fields. */
let knownFields: string[] | undefined;
function modelFieldNames(): string[] {
  if (knownFields) return knownFields;
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (s: unknown): void => {
    if (s === null || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    if (def.type === 'object' && def.shape && typeof def.shape === 'object') {
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        names.add(k);
        visit(v);
      }
    }
    for (const v of Object.values(def)) {
      if (Array.isArray(v)) v.forEach(visit);
      else visit(v);
    }
  };
  visit(configSchema);
  knownFields = [...names];
  return knownFields;
}

function formatOf(opts: NativeOptions): NativeFormat {
  if (opts.format) return opts.format;
  return opts.file?.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

/** Parses a native YAML/JSON configuration into the resolved Config, or every diagnostic found. */
export function parseNative(text: string, opts: NativeOptions = {}): ParseResult {
  const file = opts.file ?? 'floatip.yaml';
  const diags = new Diagnostics(opts.maxDiagnostics ?? 500, opts.lenient ?? false);
  const fail = (): ParseResult => ({ ok: false, diagnostics: diags.sorted() });
  try {
    if (text.length > (opts.maxChars ?? 64 * 1024 * 1024)) {
      diags.error(
        { file, line: 1, column: 1 },
        { code: 'limit', keyword: '', message: 'configuration file too large' },
      );
      return fail();
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
    const posAt = (offset: number): SourcePos => {
      const lp = lineCounter.linePos(offset);
      return { file, line: lp.line, column: lp.col };
    };
    for (const e of [...doc.errors]) {
      diags.error(posAt(e.pos[0]), {
        code: 'syntax',
        keyword: '',
        message: e.message.split('\n')[0] ?? e.message,
      });
    }
    if (formatOf(opts) === 'json' && doc.errors.length === 0) {
      try {
        JSON.parse(text);
      } catch (e) {
        diags.error(
          { file, line: 1, column: 1 },
          {
            code: 'syntax',
            keyword: '',
            message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
          },
        );
      }
    }
    if (diags.hasErrors) return fail();
    const data: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
    const locate = locator(doc, posAt, file);
    const input = stripUnknown(data, diags, keyLocator(doc, posAt, locate));
    const parsed = checkSchema(input, diags, locate, true);
    const config = parsed ? resolveParsed(parsed, diags, locate) : undefined;
    if (diags.hasErrors || !config) return fail();
    return { ok: true, config, warnings: diags.sorted(), locate };
  } catch (e) {
    diags.error(
      { file, line: 1, column: 1 },
      {
        code: 'syntax',
        keyword: '',
        message: `cannot read the document: ${e instanceof Error ? e.message : String(e)}`,
      },
    );
    return fail();
  }
}

/** Maps a model path to the position of the deepest node of the document that exists on it. */
function locator(doc: Document, posAt: (offset: number) => SourcePos, file: string): Locate {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return posAt(node.range[0]);
    }
    return { file, line: 1, column: 1 };
  };
}

/** Like the locator, but points at the key of the last path step (for unknown fields). */
function keyLocator(doc: Document, posAt: (offset: number) => SourcePos, locate: Locate): Locate {
  return (path) => {
    const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (isMap(parent)) {
      for (const pair of parent.items) {
        if (isScalar(pair.key) && String(pair.key.value) === String(last) && pair.key.range) {
          return posAt(pair.key.range[0]);
        }
      }
    }
    return locate(path);
  };
}

/**
 * Reports fields the schema does not know (with "did you mean") before zod sees them, so the message can
 * name the closest field; under `lenient` they are warnings and removed. `cloud` is passed through.
 */
function stripUnknown(data: unknown, diags: Diagnostics, locate: Locate): unknown {
  const r = configSchema.safeParse(data);
  if (r.success) return data;
  const known = modelFieldNames();
  let out = data;
  for (const issue of r.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    for (const key of issue.keys) {
      const s = closest(key, known);
      const at = locate([...path, key]);
      const init = {
        code: 'unknown-keyword' as const,
        keyword: [...path, key].join('.'),
        message: `unknown field '${key}'${path.length > 0 ? ` in ${path.join('.')}` : ''}`,
        ...(s !== undefined ? { suggestion: s } : {}),
      };
      if (diags.lenient) {
        diags.warn(at, { ...init, message: `${init.message} (ignored: --lenient)` });
        out = removeAt(out, [...path, key]);
      } else diags.error(at, init);
    }
  }
  return out;
}

function removeAt(data: unknown, path: Array<string | number>): unknown {
  if (path.length === 0 || data === null || typeof data !== 'object') return data;
  const [head, ...rest] = path;
  if (Array.isArray(data)) return data.map((v, i) => (i === head ? removeAt(v, rest) : v));
  const obj = { ...(data as Record<string, unknown>) };
  if (rest.length === 0) delete obj[String(head)];
  else obj[String(head)] = removeAt(obj[String(head)], rest);
  return obj;
}

/** Serialises a (resolved) Config as the native format. Parsing the result gives the same Config. */
export function toNative(config: Config, format: NativeFormat, header?: string): string {
  if (format === 'json') return `${JSON.stringify(config, null, 2)}\n`;
  const body = stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
  const comment = header
    ? `${header
        .split('\n')
        .map((l) => `# ${l}`.trimEnd())
        .join('\n')}\n`
    : '';
  return `${comment}${body}`;
}
