/**
 * The file side of loading a configuration: the real file system and glob wired into the parser, so that
 * `include` (with wildcards) resolves the same for every entry point (load-config.ts), and the agent's
 * loader, which reads a keepalived.conf without loading the native format's modules.
 */
import { globSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { detectFormat, type ConfigFormat } from '../../core/config/format.ts';
import { parseKeepalived, type ParseOptions, type ParseResult } from '../../core/config/keepalived.ts';

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

/** The file's text and the parser options that wire the file system, or the failed result of a missing file. */
export function openConfigFile(
  file: string,
  opts: LoadOptions = {},
): { text: string; options: ParseOptions & { file: string } } | ParseResult {
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
  return {
    text,
    options: {
      file: abs,
      readFile: readConfigFile,
      glob: globConfigFiles,
      lenient: opts.lenient ?? false,
      configId: opts.configId ?? hostname().split('.')[0] ?? '',
    },
  };
}

/**
 * loadConfigFile (load-config.ts) for the agent: the same result, but a keepalived.conf is parsed without
 * loading the native format's front end and its YAML parser (about 2 MB resident for the life of the
 * agent); a YAML or JSON file loads them then (test/functions/agent/agent-modules.test.ts).
 */
export async function loadConfigFileLazily(file: string, opts: LoadOptions = {}): Promise<ParseResult> {
  const source = openConfigFile(file, opts);
  if ('ok' in source) return source;
  const format: ConfigFormat = detectFormat(source.options.file, source.text);
  if (format === 'keepalived') return parseKeepalived(source.text, source.options);
  const { parseConfigText } = await import('../../core/config/detect.ts');
  return parseConfigText(source.text, { ...source.options, format });
}
