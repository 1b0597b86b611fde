/** Collects every diagnostic of a run (all errors of a file are reported, not only the first). */
import type { ConfigDiagnostic, ConfigDiagnosticCode, ConfigSeverity } from '../model/index.ts';

/** A place in a source file. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface DiagnosticInit {
  code: ConfigDiagnosticCode;
  keyword: string;
  message: string;
  expected?: string;
  suggestion?: string;
  keepalivedError?: boolean;
}

export class Diagnostics {
  readonly list: ConfigDiagnostic[] = [];
  private errorCount = 0;
  private readonly max: number;
  private truncated = false;
  /** When true, unknown keywords are warnings (for configs written for newer keepalived versions). */
  readonly lenient: boolean;

  constructor(max = 500, lenient = false) {
    this.max = max;
    this.lenient = lenient;
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  add(severity: ConfigSeverity, at: SourcePos, init: DiagnosticInit): void {
    if (severity === 'error') this.errorCount++;
    if (this.list.length >= this.max) {
      if (!this.truncated) {
        this.truncated = true;
        this.list.push({
          severity: 'error',
          code: 'limit',
          file: at.file,
          line: at.line,
          column: at.column,
          keyword: init.keyword,
          message: `more than ${this.max} problems; the rest are not listed`,
        });
      }
      return;
    }
    const d: ConfigDiagnostic = {
      severity,
      code: init.code,
      file: at.file,
      line: at.line,
      column: at.column,
      keyword: init.keyword,
      message: init.message,
    };
    if (init.expected !== undefined) d.expected = init.expected;
    if (init.suggestion !== undefined) d.suggestion = init.suggestion;
    if (init.keepalivedError) d.keepalivedError = true;
    this.list.push(d);
  }

  error(at: SourcePos, init: DiagnosticInit): void {
    this.add('error', at, init);
  }

  warn(at: SourcePos, init: DiagnosticInit): void {
    this.add('warning', at, init);
  }

  /** Sorted by file order of appearance, then line and column, so output reads top to bottom. */
  sorted(): ConfigDiagnostic[] {
    const fileOrder = new Map<string, number>();
    for (const d of this.list) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
    return [...this.list].sort(
      (a, b) =>
        (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line || a.column - b.column,
    );
  }
}
