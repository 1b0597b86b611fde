// Shared helpers of the config tests: load a file from disk with the real include plumbing, and an
// in-memory file system for include tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { parseKeepalived, type ParseOptions, type ParseResult } from '../../../core/config/index.ts';
import type { Config, ConfigDiagnostic } from '../../../core/model/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The project's seed configurations (README included; origins in keepalived-corpus/SOURCES.md). */
export const seedDir = join(here, '..', '..', 'fixtures', 'keepalived-corpus', 'seed');
export const corpusDir = join(here, '..', '..', 'fixtures', 'keepalived-corpus');

export function loadFile(path: string, opts: ParseOptions = {}): ParseResult {
  return parseKeepalived(readFileSync(path, 'utf8'), { file: path, ...opts });
}

export function mustLoad(r: ParseResult): { config: Config; warnings: ConfigDiagnostic[] } {
  if (!r.ok)
    assert.fail(
      `expected a valid config, got:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`,
    );
  return r;
}

export function mustFail(r: ParseResult): ConfigDiagnostic[] {
  if (r.ok) assert.fail('expected the configuration to be rejected');
  return r.diagnostics;
}

export function errorsOf(r: ParseResult): ConfigDiagnostic[] {
  return mustFail(r).filter((d) => d.severity === 'error');
}

/** Parses text as a keepalived.conf called test.conf. */
export function kp(text: string, opts: ParseOptions = {}): ParseResult {
  return parseKeepalived(text, { file: '/etc/keepalived/test.conf', ...opts });
}

/** An in-memory file system for include tests: { '/etc/x.conf': 'text' }. */
export function memFs(files: Record<string, string>): Pick<ParseOptions, 'readFile' | 'glob'> {
  const toRe = (pattern: string): RegExp =>
    new RegExp(
      `^${pattern
        .split('')
        .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
  return {
    readFile: (p) => files[p],
    glob: (pattern) =>
      Object.keys(files)
        .filter((f) => toRe(pattern).test(f))
        .sort(),
  };
}
