/**
 * parseKeepalived: keepalived.conf text -> resolved Config, or every diagnostic found.
 *
 *   text ─► preprocess (includes, @ID, $NAME, ~SEQ) ─► lines of tokens ─► parseBlocks ─► tree
 *        ─► translate (keyword tables) ─► ConfigInput ─► zod schema (static defaults)
 *        ─► resolve (derived defaults, keepalived's adjustments, cross-references) ─► Config
 *
 * Pure: file access for `include` is injected. Never throws: any unexpected failure becomes a diagnostic.
 */
import type { Config, ConfigDiagnostic } from '../model/index.ts';
import { Diagnostics, type SourcePos } from './diagnostics.ts';
import { blockParser } from './parser.ts';
import { limitsOf, preprocessInto, type PreprocessOptions } from './preprocess.ts';
import { resolveParsed, type Locate } from './resolve.ts';
import { checkSchema } from './schema-check.ts';
import { Ctx } from './translate/context.ts';
import { translate } from './translate/index.ts';

export interface ParseOptions extends PreprocessOptions {
  /** Name of the file being parsed (used in messages and as the base of relative includes). */
  file?: string;
  /** Unknown keywords become warnings instead of errors. */
  lenient?: boolean;
  /** Stop listing after this many diagnostics (default 500). */
  maxDiagnostics?: number;
}

export type ParseResult =
  | {
      ok: true;
      config: Config;
      warnings: ConfigDiagnostic[];
      /** Where a model path was written (for checks that run after parsing, e.g. script security). */
      locate?: Locate;
    }
  | { ok: false; diagnostics: ConfigDiagnostic[] };

/** Pre-processes, parses and translates to the unresolved model (used by parseKeepalived and tools). */
export function translateKeepalived(
  text: string,
  opts: ParseOptions,
  diags: Diagnostics,
): {
  input: Record<string, unknown>;
  locate: Locate;
  written: (path: ReadonlyArray<string | number>) => boolean;
} {
  const file = opts.file ?? 'keepalived.conf';
  // Each line goes to the block parser as it is made: the whole file's tokenised lines are never held
  // (~15 MB beside the tree at 10,000 real servers, the agent's start-up peak, bench/checker/rss.bench.ts).
  const parser = blockParser(diags, limitsOf(opts).blockDepth);
  preprocessInto(text, file, opts, diags, parser.line);
  const tree = parser.end();
  const ctx = new Ctx(diags);
  const input = translate(tree, ctx);
  const fallback: SourcePos = { file, line: 1, column: 1 };
  const locate: Locate = (path) => ctx.locate(input, path) ?? fallback;
  const written = (path: ReadonlyArray<string | number>): boolean => ctx.written(input, path);
  return { input, locate, written };
}

export function parseKeepalived(text: string, opts: ParseOptions = {}): ParseResult {
  const diags = new Diagnostics(opts.maxDiagnostics ?? 500, opts.lenient ?? false);
  const file = opts.file ?? 'keepalived.conf';
  try {
    const { input, locate, written } = translateKeepalived(text, opts, diags);
    const parsed = checkSchema(input, diags, locate, false, written);
    const config = parsed ? resolveParsed(parsed, diags, locate) : undefined;
    if (diags.hasErrors || !config) {
      return { ok: false, diagnostics: diags.sorted() };
    }
    return { ok: true, config, warnings: diags.sorted(), locate };
  } catch (e) {
    // A bug, not a config problem; still reported as a diagnostic so callers never see a throw.
    diags.error(
      { file, line: 1, column: 1 },
      {
        code: 'syntax',
        keyword: '',
        message: `internal error while reading the configuration: ${e instanceof Error ? e.message : String(e)}`,
      },
    );
    return { ok: false, diagnostics: diags.sorted() };
  }
}
