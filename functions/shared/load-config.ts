/**
 * One way to load a configuration file for every entry point (check-config, convert, lvs-table, the agent
 * and its SIGHUP reload): the real file system and glob wired into the parser, so `include` (with
 * wildcards) resolves the same everywhere. Reads keepalived.conf or the native YAML/JSON format.
 */
import { globSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { formatDiagnostic, parseConfigText, type ParseResult } from '../../core/config/index.ts';
import type { Config } from '../../core/model/index.ts';

/** Real file access for `include`: a missing file is `undefined`, other failures throw (and are reported). */
export function readConfigFile(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) throw new Error('is a directory');
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The files an `include` pattern names, sorted, directories left out. */
export function globConfigFiles(pattern: string): string[] {
  return globSync(pattern)
    .filter((p) => !statSync(p).isDirectory())
    .sort();
}

export interface LoadOptions {
  lenient?: boolean;
  /** For keepalived's `@ID` lines; keepalived's default is the host name up to the first dot. */
  configId?: string;
}

/** Loads and resolves a configuration file of any supported format, wiring the real file system. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): ParseResult {
  const abs = resolve(file);
  const text = readConfigFile(abs);
  if (text === undefined) {
    return {
      ok: false,
      diagnostics: [
        {
          severity: 'error',
          code: 'include',
          file,
          line: 1,
          column: 1,
          keyword: '',
          message: 'file not found',
        },
      ],
    };
  }
  return parseConfigText(text, {
    file: abs,
    readFile: readConfigFile,
    glob: globConfigFiles,
    lenient: opts.lenient ?? false,
    configId: opts.configId ?? hostname().split('.')[0] ?? '',
  });
}

/**
 * Loads a configuration and returns its model; throws one Error listing every diagnostic with file:line
 * (a file that cannot be read is one of them).
 */
export function loadConfigOrThrow(file: string, opts: LoadOptions = {}): Config {
  let r: ParseResult;
  try {
    r = loadConfigFile(file, opts);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.config;
}
