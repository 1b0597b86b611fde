/**
 * `floatip check-config FILE [--json] [--lenient] [--config-id ID]`: like `keepalived -t`. Exit 0 when the
 * configuration is valid, 5 with every error when not; `--json` prints the normalized model (every default
 * filled in). Reads keepalived.conf or the native YAML/JSON format (by extension, else by content).
 */
import { parseArgs } from 'node:util';
import { formatDiagnostic, summarizeConfig, type ParseResult } from '../../../core/config/index.ts';
import { loadConfigFile, type LoadOptions } from '../../shared/load-config.ts';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';

/** Shows paths relative to the working directory when they are below it. */
export function displayPath(path: string): string {
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate a keepalived.conf or floatip YAML/JSON configuration (like keepalived -t)',
  usage: 'floatip check-config FILE [--json] [--lenient] [--config-id ID]',
  async run(args, io) {
    let values: { json?: boolean; lenient?: boolean; 'config-id'?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: 'boolean' },
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
    const opts: LoadOptions = { lenient: values.lenient ?? false };
    if (values['config-id'] !== undefined) opts.configId = values['config-id'];
    let r: ParseResult;
    try {
      r = loadConfigFile(file, opts);
    } catch (e) {
      io.err(`${file}: error: ${(e as Error).message}`);
      return exitCodes.failure;
    }
    const show = (d: Parameters<typeof formatDiagnostic>[0]) =>
      formatDiagnostic({ ...d, file: displayPath(d.file) });
    if (!r.ok) {
      for (const d of r.diagnostics) io.err(show(d));
      const n = r.diagnostics.filter((d) => d.severity === 'error').length;
      io.err(`${file}: ${n} error${n === 1 ? '' : 's'}; configuration rejected`);
      return exitCodes.configInvalid;
    }
    for (const d of r.warnings) io.err(show(d));
    if (values.json) {
      io.out(JSON.stringify(r.config, null, 2));
      return exitCodes.ok;
    }
    const s = summarizeConfig(r.config);
    const checkers = Object.entries(s.checkers)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    io.out(
      `${file}: configuration OK — ${s.vrrpInstances} VRRP instance(s), ${s.vips} VIP(s), ` +
        `${s.syncGroups} sync group(s), ${s.virtualServers} virtual server(s), ${s.realServers} real server(s), ` +
        `checkers: ${checkers || 'none'}${r.warnings.length > 0 ? `; ${r.warnings.length} warning(s)` : ''}`,
    );
    for (const line of s.lines) io.out(`  ${line}`);
    return exitCodes.ok;
  },
};
