/**
 * A configuration problem, located precisely. Both front ends (keepalived.conf and native YAML/JSON)
 * report these; the CLI prints them as `FILE:LINE:COL: error: MESSAGE (did you mean X?)`.
 */
export type ConfigSeverity = 'error' | 'warning';

/** Stable identifiers of the kinds of problem, for tests and tooling. */
export type ConfigDiagnosticCode =
  | 'syntax'
  | 'unknown-keyword'
  | 'bad-value'
  | 'missing-value'
  | 'extra-value'
  | 'missing-required'
  | 'duplicate'
  | 'unknown-name'
  | 'include'
  | 'limit'
  | 'deprecated'
  | 'ignored'
  | 'adjusted'
  | 'schema'
  | 'script-security';

export interface ConfigDiagnostic {
  severity: ConfigSeverity;
  code: ConfigDiagnosticCode;
  /** The file as given (include paths are resolved relative to the including file). */
  file: string;
  /** 1-based line and column of the offending token. */
  line: number;
  column: number;
  /** The keyword (or native field path) the problem is about. */
  keyword: string;
  message: string;
  /** What would have been accepted, e.g. "MASTER or BACKUP", "an integer 1..255". */
  expected?: string;
  /** The closest known keyword, value or name ("did you mean …"). */
  suggestion?: string;
  /**
   * A warning keepalived reports as a configuration error (it carries on, but `keepalived -t` exits 5):
   * `floatip check-config` exits 5 for it too.
   */
  keepalivedError?: boolean;
}

/** Thrown only at the edges (CLI, adapters) to carry diagnostics; core returns them as values. */
export class ConfigError extends Error {
  readonly diagnostics: ConfigDiagnostic[];
  constructor(diagnostics: ConfigDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
  }
}

/** `FILE:LINE:COL: error: MESSAGE (expected …) (did you mean X?)`. */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const expected = d.expected !== undefined ? ` (expected ${d.expected})` : '';
  const hint = d.suggestion !== undefined ? ` (did you mean ${d.suggestion}?)` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${expected}${hint}`;
}
