/**
 * `floatip check-config FILE [--json] [--show-secrets] [--lenient] [--config-id ID]`: like `keepalived -t`,
 * for every configuration floatip reads. Exit 0 when the configuration is valid, 5 with every error when
 * not (and, as keepalived -t, for the warnings keepalived reports as configuration errors), 6 for script
 * security problems (functions/shared/script-security.ts); test/functions/cli/check-config-keepalived.test.ts
 * compares the exit codes with keepalived 2.2.7 -t on every corpus file. `--json` prints the normalized
 * model (every default filled in), also on exit 6, with secrets replaced by *** unless `--show-secrets`.
 *
 * Reads keepalived.conf, the native YAML/JSON format with its `cloud:` section (or the `floatip-cloud.yaml`
 * overlay next to a keepalived.conf), and the control plane's file (a top-level `controlPlane:`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadedCloud } from '../../agent/cloud-setup.ts';
import { formatDiagnostic, summarizeConfig, type ParseResult } from '../../../core/config/index.ts';
import type { ConfigDiagnostic } from '../../../core/model/index.ts';
import { loadConfigFile, type LoadOptions } from '../../shared/load-config.ts';
import { redactSecrets } from '../../shared/redact.ts';
import { checkScriptSecurity } from '../../shared/script-security.ts';
import type { CliIo, Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { checkControlPlaneFile, isControlPlaneFile } from './check-control-plane.ts';

/** Shows paths relative to the working directory when they are below it. */
export function displayPath(path: string): string {
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

interface Flags {
  json?: boolean;
  'show-secrets'?: boolean;
  lenient?: boolean;
  'config-id'?: string;
}

export const checkConfig: Command = {
  name: 'check-config',
  summary:
    'validate a keepalived.conf, floatip YAML/JSON or control-plane configuration (like keepalived -t)',
  usage: 'floatip check-config FILE [--json] [--show-secrets] [--lenient] [--config-id ID]',
  async run(args, io) {
    let values: Flags;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: 'boolean' },
          'show-secrets': { type: 'boolean' },
          lenient: { type: 'boolean' },
          'config-id': { type: 'string' },
        },
      }));
    } catch (e) {
      io.err(`floatip check-config: ${(e as Error).message}\nusage: ${this.usage}`);
      return exitCodes.usage;
    }
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) {
      io.err(`usage: ${this.usage}`);
      return exitCodes.usage;
    }
    if (isControlPlaneFile(file))
      return checkControlPlaneFile(
        file,
        { json: values.json === true, showSecrets: values['show-secrets'] === true },
        io,
      );
    return checkAgentConfig(file, values, io);
  },
};

const show = (d: ConfigDiagnostic): string => formatDiagnostic({ ...d, file: displayPath(d.file) });

/** keepalived.conf or the native format: what the agent reads. */
async function checkAgentConfig(file: string, values: Flags, io: CliIo): Promise<number> {
  const opts: LoadOptions = { lenient: values.lenient ?? false };
  if (values['config-id'] !== undefined) opts.configId = values['config-id'];
  let r: ParseResult;
  try {
    r = loadConfigFile(file, opts);
  } catch (e) {
    io.err(`${file}: error: ${(e as Error).message}`);
    return exitCodes.failure;
  }
  const cloud = await checkCloud(file);
  if (!r.ok || cloud.errors.length > 0) {
    if (!r.ok) for (const d of r.diagnostics) io.err(show(d));
    for (const e of cloud.errors) io.err(e);
    const n = (r.ok ? 0 : r.diagnostics.filter((d) => d.severity === 'error').length) + cloud.errors.length;
    io.err(`${file}: ${n} error${n === 1 ? '' : 's'}; configuration rejected`);
    return exitCodes.configInvalid;
  }
  for (const d of r.warnings) io.err(show(d));
  const dump = () =>
    io.out(JSON.stringify(values['show-secrets'] ? r.config : redactSecrets(r.config), null, 2));
  // keepalived -t checks the scripts against the host (users, file modes) and exits 6 on a problem.
  const security = checkScriptSecurity(r.config, { locate: r.locate, file });
  for (const d of security.diagnostics) io.err(show(d));
  if (security.violation) {
    const n = security.diagnostics.length;
    io.err(`${file}: ${n} script security problem${n === 1 ? '' : 's'} (keepalived -t exits 6 too)`);
    if (values.json) dump();
    return exitCodes.scriptSecurity;
  }
  const reported = r.warnings.filter((d) => d.keepalivedError === true).length;
  if (reported > 0)
    io.err(
      `${file}: ${reported} warning${reported === 1 ? '' : 's'} keepalived reports as configuration errors ` +
        '(floatip runs the file as keepalived does; keepalived -t exits 5, and so does this check)',
    );
  if (values.json) dump();
  else
    summarize(
      file,
      r,
      cloud.loaded,
      io,
      reported > 0 ? 'configuration loads, as keepalived -t 5' : 'configuration OK',
    );
  return reported > 0 ? exitCodes.configInvalid : exitCodes.ok;
}

function summarize(
  file: string,
  r: ParseResult & { ok: true },
  loaded: LoadedCloud | undefined,
  io: CliIo,
  verdict: string,
): void {
  const s = summarizeConfig(r.config);
  const checkers = Object.entries(s.checkers)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  io.out(
    `${file}: ${verdict} — ${s.vrrpInstances} VRRP instance(s), ${s.vips} VIP(s), ` +
      `${s.syncGroups} sync group(s), ${s.virtualServers} virtual server(s), ${s.realServers} real server(s), ` +
      `checkers: ${checkers || 'none'}${r.warnings.length > 0 ? `; ${r.warnings.length} warning(s)` : ''}`,
  );
  for (const line of s.lines) io.out(`  ${line}`);
  if (loaded) {
    const c = loaded.section;
    io.out(
      `  cloud (${displayPath(loaded.file)}): group ${c.group.id}, ${c.group.members.length} member(s), ` +
        `${c.group.resources.length} resource(s) on ${Object.keys(c.providers).join(', ')}` +
        `${c.vrrpInstance ? `, moved when ${c.vrrpInstance} becomes MASTER` : ''}`,
    );
  }
}

/**
 * The cloud section the agent would load for `file` (see functions/agent/cloud-mode.ts): a native
 * YAML/JSON file's own `cloud:` key (none is fine), or `floatip-cloud.yaml` next to a keepalived.conf
 * (absent is fine). Errors read `FILE:LINE: cloud.FIELD: message`.
 */
async function checkCloud(file: string): Promise<{ errors: string[]; loaded?: LoadedCloud }> {
  const isNative = /\.(ya?ml|json)$/i.test(file);
  const source = isNative ? file : join(dirname(file), 'floatip-cloud.yaml');
  if (!existsSync(source)) return { errors: [] };
  // Loaded only when there is a cloud file: it brings the provider SDKs with it.
  const { loadCloudSection } = await import('../../agent/cloud-setup.ts');
  const r = loadCloudSection(file);
  if (r.ok) return { errors: [], loaded: r.value };
  if (isNative && r.errors.every((e) => e.endsWith("no top-level 'cloud:' section"))) return { errors: [] };
  // A native file that does not parse is already reported by the config loader; keep only cloud fields.
  const errors = isNative ? r.errors.filter((e) => / cloud[.:]/.test(e)) : r.errors;
  const shown = displayPath(source);
  return {
    errors: errors
      .map((e) => (e.startsWith(source) ? `${shown}${e.slice(source.length)}` : e))
      .map((e) => e.replace(/^([^:]+(?::\d+)?): /, '$1: error: ')),
  };
}
