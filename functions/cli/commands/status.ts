/** `floatip status [--json]`: asks the running agent for each VRRP instance's state. */
import { parseArgs } from 'node:util';
import type { VrrpInstanceStatus } from '../../../core/app/vrrp-service.ts';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { controlRequest, defaultControlSocket } from '../../../adapters/system/control-server.ts';
import { statusLvs } from './status-lvs.ts';

function ago(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 10_000 ? `${ms} ms ago` : `${(ms / 1000).toFixed(1)} s ago`;
}

/** The human table: one block per instance. */
export function formatStatus(instances: VrrpInstanceStatus[]): string {
  if (instances.length === 0) return 'no VRRP instances';
  return instances
    .map((i) => {
      const prio =
        i.effectivePriority === i.basePriority
          ? `${i.effectivePriority}`
          : `${i.effectivePriority} (base ${i.basePriority})`;
      const master = i.master
        ? `${i.master.address} (priority ${i.master.priority}), last advert ${ago(i.master.lastAdvertAgoMs)}`
        : '-';
      return [
        `${i.name}: ${i.state}  (vrid ${i.vrid}, v${i.version}, ${i.interfaceName}, advert ${i.advertIntervalMs} ms)`,
        `  priority: ${prio}`,
        `  master:   ${master}`,
        `  vips:     ${i.vips.join(' ') || '-'}${i.vipsPresent ? '  [configured here]' : ''}`,
        `  adverts:  ${i.stats['advert_rcvd'] ?? 0} received, ${i.stats['advert_sent'] ?? 0} sent`,
      ].join('\n');
    })
    .join('\n\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show the running agent's VRRP instances (state, priority, master, VIPs)",
  usage: `floatip status [--json] [--socket PATH] [--lvs [--stats] [--exact]]   (default socket ${defaultControlSocket})`,
  async run(args, io) {
    if (args.includes('--lvs')) return statusLvs(args, io);
    let values: { json?: boolean; socket?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: { json: { type: 'boolean' }, socket: { type: 'string' } },
        strict: true,
      }));
    } catch (e) {
      io.err(`floatip status: ${(e as Error).message}`);
      return exitCodes.usage;
    }
    try {
      const result = (await controlRequest(values.socket ?? defaultControlSocket, 'status')) as {
        instances: VrrpInstanceStatus[];
      };
      io.out(values.json ? JSON.stringify(result, null, 2) : formatStatus(result.instances));
      return exitCodes.ok;
    } catch (e) {
      io.err(`floatip status: ${(e as Error).message}`);
      return exitCodes.failure;
    }
  },
};
