/** `floatip lease-agent --config FILE --member ID`: Redis lease election for one member of a group. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { defaultControlConfig, untilSignal } from './serve-shared.ts';

export const leaseAgentCommand: Command = {
  name: 'lease-agent',
  summary: 'elect a group master over Redis leases; the master takes the group resources (with epoch)',
  usage: [
    'floatip lease-agent --member ID [--config FILE] [--group G] [--address IP] [--interval-ms N]',
    `  --config       control-plane config (default ${defaultControlConfig})`,
    "  --member       this agent's member id (its priority is the member's priority)",
    '  --group        the group (needed only when the member is in several groups)',
    '  --address      tie-break between equal priorities: the higher address wins (default: 127.x.y.z from the member id)',
    '  --interval-ms  advert interval, multiple of 10 (default 1000); Master_Down = 3 x interval + skew',
  ].join('\n'),
  async run(args, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          config: { type: 'string', short: 'c' },
          member: { type: 'string' },
          group: { type: 'string' },
          address: { type: 'string' },
          'interval-ms': { type: 'string' },
        },
        strict: true,
      }));
    } catch (e) {
      io.err(`floatip lease-agent: ${(e as Error).message}`);
      return exitCodes.usage;
    }
    if (typeof values.member !== 'string' || values.member === '') {
      io.err('floatip lease-agent: --member ID is required');
      return exitCodes.usage;
    }
    const interval = values['interval-ms'] === undefined ? 1000 : Number(values['interval-ms']);
    if (!Number.isInteger(interval) || interval < 10 || interval % 10 !== 0) {
      io.err('floatip lease-agent: --interval-ms must be a positive multiple of 10');
      return exitCodes.usage;
    }
    try {
      const { runLeaseAgent } = await import('../../control-plane/index.ts');
      return await runLeaseAgent({
        configPath: typeof values.config === 'string' ? values.config : defaultControlConfig,
        member: values.member,
        ...(typeof values.group === 'string' ? { group: values.group } : {}),
        ...(typeof values.address === 'string' ? { address: values.address } : {}),
        intervalMs: interval,
        stop: untilSignal(),
        io,
      });
    } catch (err) {
      io.err(`floatip lease-agent: ${(err as Error).message}`);
      return exitCodes.failure;
    }
  },
};
