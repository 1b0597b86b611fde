/**
 * `floatip status --lvs [--stats] [--exact] [--nosort] [--json]`: the running agent's LB table in
 * `ipvsadm -Ln` format; and `floatip lvs-table --config FILE`: the table a config plans at start (every
 * real server alive unless alpha), without an agent.
 */
import { parseArgs } from 'node:util';
import type { Command, CliIo } from '../command.ts';
import { exitCodes } from '../command.ts';
import { controlRequest, defaultControlSocket } from '../../../adapters/system/control-server.ts';
import { formatIpvsadm } from '../../../adapters/onprem/ipvs/ipvsadm-format.ts';
import type { LvsStatus } from '../../agent/lvs-agent.ts';
import { loadConfigOrThrow } from '../../shared/load-config.ts';
import { startTable } from '../../../core/app/lvs-desired.ts';
import { previewNft } from '../../../adapters/onprem/lvs-dataplane.ts';
import { IP_VS_VERSION_CODE } from '../../../adapters/onprem/ipvs/constants.ts';

const formatOptions = {
  stats: { type: 'boolean' },
  exact: { type: 'boolean' },
  nosort: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Entry from `floatip status` when `--lvs` is given. */
export async function statusLvs(args: string[], io: CliIo): Promise<number> {
  let values: { stats?: boolean; exact?: boolean; nosort?: boolean; json?: boolean; socket?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { ...formatOptions, lvs: { type: 'boolean' }, socket: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    io.err(`floatip status: ${(e as Error).message}`);
    return exitCodes.usage;
  }
  try {
    const result = (await controlRequest(values.socket ?? defaultControlSocket, 'lvs')) as LvsStatus | null;
    if (!result) {
      io.err('floatip status: the running agent has no virtual servers');
      return exitCodes.failure;
    }
    if (result.error && !values.json) {
      io.err(`floatip status: the LVS side is not running: ${result.error}`);
      return exitCodes.failure;
    }
    io.out(values.json ? JSON.stringify(result, null, 2) : formatIpvsadm(result, values).replace(/\n$/, ''));
    return exitCodes.ok;
  } catch (e) {
    io.err(`floatip status: ${(e as Error).message}`);
    return exitCodes.failure;
  }
}

export const lvsTableCommand: Command = {
  name: 'lvs-table',
  summary: 'print the LB table a keepalived.conf plans at start, in ipvsadm -Ln format',
  usage:
    'floatip lvs-table --config FILE [--stats] [--exact] [--nosort] [--json] [--nft]\n' +
    '  --nft   print the nftables transaction the nftables data plane would run for it (a dry run)',
  async run(args, io) {
    let values: {
      config?: string;
      stats?: boolean;
      exact?: boolean;
      nosort?: boolean;
      json?: boolean;
      nft?: boolean;
    };
    try {
      ({ values } = parseArgs({
        args,
        options: { ...formatOptions, config: { type: 'string' }, nft: { type: 'boolean' } },
        strict: true,
      }));
    } catch (e) {
      io.err(`floatip lvs-table: ${(e as Error).message}`);
      return exitCodes.usage;
    }
    if (!values.config) {
      io.err(`floatip lvs-table: --config FILE is required\nusage: ${lvsTableCommand.usage}`);
      return exitCodes.usage;
    }
    let table;
    try {
      table = startTable(loadConfigOrThrow(values.config));
    } catch (e) {
      io.err(`floatip lvs-table: ${(e as Error).message}`);
      return exitCodes.configInvalid;
    }
    if (values.nft) {
      const preview = previewNft(table);
      if (preview.kind !== 'ok') {
        io.err(`floatip lvs-table: ${preview.reason}`);
        return exitCodes.failure;
      }
      io.out(preview.text.replace(/\n$/, ''));
      return exitCodes.ok;
    }
    io.out(
      values.json
        ? JSON.stringify(table, null, 2)
        : formatIpvsadm(
            { version: IP_VS_VERSION_CODE, connTabSize: 4096, services: table.services },
            values,
          ).replace(/\n$/, ''),
    );
    return exitCodes.ok;
  },
};
