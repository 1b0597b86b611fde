/** `floatip convert FILE --to yaml|json`: a keepalived.conf (or native file) as the native format. */
import { parseArgs } from 'node:util';
import { formatDiagnostic, toNative } from '../../../core/config/index.ts';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { loadConfigFile, type LoadOptions } from '../../shared/load-config.ts';
import { displayPath } from './check-config.ts';

export const convert: Command = {
  name: 'convert',
  summary: 'convert a keepalived.conf to the floatip native format (YAML or JSON), every default written out',
  usage: 'floatip convert FILE --to yaml|json [--lenient] [--config-id ID]',
  async run(args, io) {
    let values: { to?: string; lenient?: boolean; 'config-id'?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { to: { type: 'string' }, lenient: { type: 'boolean' }, 'config-id': { type: 'string' } },
      }));
    } catch (e) {
      io.err(`floatip convert: ${(e as Error).message}\nusage: ${this.usage}`);
      return exitCodes.usage;
    }
    const file = positionals[0];
    const to = values.to;
    if (file === undefined || positionals.length > 1 || (to !== 'yaml' && to !== 'json')) {
      io.err(`usage: ${this.usage}`);
      return exitCodes.usage;
    }
    const opts: LoadOptions = { lenient: values.lenient ?? false };
    if (values['config-id'] !== undefined) opts.configId = values['config-id'];
    let r;
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
      return exitCodes.configInvalid;
    }
    for (const d of r.warnings) io.err(show(d));
    io.out(
      toNative(
        r.config,
        to,
        `floatip configuration converted from ${file}\nEvery keepalived default is written out.`,
      ),
    );
    return exitCodes.ok;
  },
};
