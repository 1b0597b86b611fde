/**
 * keepalived's script security rules for a whole configuration (keepalived.md §1 global_defs
 * `script_user`, `enable_script_security`; lib/notify.c): shared by `floatip check-config` (which exits 6
 * on a problem, as `keepalived -t`) and the agent (which refuses to start or reload while a script would
 * be refused).
 *
 * - Each script runs as its own `user U [G]`, else `script_user`, else `keepalived_script` when that user
 *   exists, else the agent's own user. With `enable_script_security` and none of these naming a user, a
 *   missing `keepalived_script` is an error (keepalived will not fall back to root then).
 * - A script run as root (uid or gid 0, or set-uid/gid root) whose file or any directory above it can be
 *   written by someone other than root is insecure: refused with `enable_script_security`, a warning
 *   without it.
 * - Scripts configured without `enable_script_security` at all is keepalived's "SECURITY VIOLATION", when at
 *   least one of them exists: a script whose file is missing is disabled and runs nothing, and keepalived
 *   2.2.7 `-t` exits 0 for such a file (test/functions/cli/check-config-keepalived.test.ts compares).
 */
import type { Config, ConfigDiagnostic } from '../../core/model/index.ts';
import { formatDiagnostic } from '../../core/model/config-diagnostic.ts';
// The modules themselves, not the core/config barrel: that brings the native format's YAML parser.
import type { ParseResult } from '../../core/config/keepalived.ts';
import type { Locate } from '../../core/config/resolve.ts';
import { configuredScripts } from '../../core/config/scripts.ts';
import { loadConfigFileLazily } from './config-files.ts';
import { checkScript } from '../../adapters/probes/script-security.ts';
import {
  DEFAULT_SCRIPT_USER,
  scriptRunAs,
  SYSTEM_RUN_AS_FILES,
  type RunAsFiles,
  type RunAsIds,
} from '../../adapters/system/run-as.ts';

export interface ScriptSecurityReport {
  /** One entry per problem, located at the script's line when known. */
  diagnostics: ConfigDiagnostic[];
  /** True when keepalived -t would exit 6 (KEEPALIVED_CHK_EXIT_CONFIG_TEST_SECURITY). */
  violation: boolean;
  /** True when a script would not run (the agent refuses such a configuration). */
  refused: boolean;
}

export interface ScriptSecurityOptions {
  locate?: Locate | undefined;
  /** Config file name for diagnostics without a located position. */
  file?: string;
  files?: RunAsFiles;
  /** The agent's own uid/gid (the fallback user); default this process's. */
  self?: RunAsIds;
}

export function checkScriptSecurity(config: Config, o: ScriptSecurityOptions = {}): ScriptSecurityReport {
  const security = config.globalDefs.enableScriptSecurity;
  const files = o.files ?? SYSTEM_RUN_AS_FILES;
  const self = o.self ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const diagnostics: ConfigDiagnostic[] = [];
  let violation = false;
  let refused = false;
  /** Scripts whose file is there (secure or not): only those make the missing security a violation. */
  let found = 0;
  const scripts = configuredScripts(config);
  const where = (path: ReadonlyArray<string | number>) =>
    o.locate?.(path) ?? { file: o.file ?? 'keepalived.conf', line: 1, column: 1 };
  const report = (
    severity: ConfigDiagnostic['severity'],
    path: ReadonlyArray<string | number>,
    keyword: string,
    message: string,
  ) => {
    const at = where(path);
    diagnostics.push({
      severity,
      code: 'script-security',
      file: at.file,
      line: at.line,
      column: at.column,
      keyword,
      message,
    });
  };
  for (const s of scripts) {
    const argv0 = s.command.argv[0] ?? '';
    const label = `${s.owner} ${s.keyword} '${argv0}'`;
    let ids: RunAsIds;
    try {
      const resolved = scriptRunAs(s.runAs, files);
      if (resolved === undefined && security && s.runAs === undefined) {
        report(
          'error',
          s.path,
          s.keyword,
          `${label}: enable_script_security needs script_user or a '${DEFAULT_SCRIPT_USER}' user, and there is none`,
        );
        violation = refused = true;
        continue;
      }
      ids = resolved ?? self;
    } catch (e) {
      report('error', s.path, s.keyword, `${label}: ${(e as Error).message}`);
      refused = true;
      continue;
    }
    const r = checkScript(argv0, ids);
    if (r.ok || r.reason !== 'not-found') found++;
    if (r.ok) continue;
    if (r.reason === 'insecure') {
      violation = true;
      if (security) refused = true;
      report(
        security ? 'error' : 'warning',
        s.path,
        s.keyword,
        `${label} runs as uid ${ids.uid} but can be replaced by non-root users: ${r.message}` +
          (security ? '; refused (enable_script_security)' : ''),
      );
    } else {
      report('warning', s.path, s.keyword, `${label}: ${r.message}; it will not run`);
    }
  }
  if (!security && found > 0) {
    violation = true;
    const first = scripts[0];
    report(
      'warning',
      first?.path ?? [],
      'enable_script_security',
      `scripts are configured but enable_script_security is not set (keepalived: SECURITY VIOLATION)`,
    );
  }
  return { diagnostics, violation, refused };
}

/**
 * The agent's config load (start and SIGHUP): the model, plus the script security warnings to log. Throws
 * one Error listing every problem with file:line when the file is invalid or a script would be refused.
 */
export async function loadConfigCheckingScripts(
  file: string,
): Promise<{ config: Config; warnings: string[] }> {
  let r: ParseResult;
  try {
    r = await loadConfigFileLazily(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  const report = checkScriptSecurity(r.config, { locate: r.locate, file });
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (report.refused) throw new Error(errors.map(formatDiagnostic).join('\n'));
  return {
    config: r.config,
    warnings: report.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}
