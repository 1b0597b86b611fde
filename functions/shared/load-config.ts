/**
 * One way to load a configuration file for every entry point (check-config, convert, lvs-table, the agent
 * and its SIGHUP reload): the real file system and glob wired into the parser, so `include` (with
 * wildcards) resolves the same everywhere. Reads keepalived.conf or the native YAML/JSON format.
 */
import { formatDiagnostic, parseConfigText, type ParseResult } from '../../core/config/index.ts';
import type { Config } from '../../core/model/index.ts';
import { openConfigFile, type LoadOptions } from './config-files.ts';

export { globConfigFiles, readConfigFile, type LoadOptions } from './config-files.ts';

/** Loads and resolves a configuration file of any supported format, wiring the real file system. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): ParseResult {
  const source = openConfigFile(file, opts);
  return 'ok' in source ? source : parseConfigText(source.text, source.options);
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
