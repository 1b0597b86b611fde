/** `floatip drain --config FILE --budget-ms N`: process queued jobs for at most N ms, then exit. */
import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { defaultControlConfig } from './serve-shared.ts';

export const drainCommand: Command = {
  name: 'drain',
  summary: 'process queued control-plane jobs within a time budget, then exit (cron / function style)',
  usage: `floatip drain [--config FILE] [--budget-ms N]\n  --budget-ms  stop taking new jobs after N ms (default 50000)\n  --config     default ${defaultControlConfig}`,
  async run(args, io) {
    let values: { config?: string; 'budget-ms'?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: { config: { type: 'string', short: 'c' }, 'budget-ms': { type: 'string' } },
        strict: true,
      }));
    } catch (e) {
      io.err(`floatip drain: ${(e as Error).message}`);
      return exitCodes.usage;
    }
    const budget = Number(values['budget-ms'] ?? '50000');
    if (!Number.isInteger(budget) || budget < 0) {
      io.err('floatip drain: --budget-ms must be a non-negative integer');
      return exitCodes.usage;
    }
    const file = values.config ?? defaultControlConfig;
    // The control plane (Redis, cloud SDKs) loads only when this command runs.
    const { ControlConfigError, buildControlPlane, loadControlPlaneConfig } =
      await import('../../control-plane/index.ts');
    const { waitReady } = await import('../../../adapters/redis/index.ts');
    const { drain } = await import('../../worker/index.ts');
    let cp;
    try {
      cp = buildControlPlane(await loadControlPlaneConfig(file));
    } catch (err) {
      if (!(err instanceof ControlConfigError)) throw err;
      for (const l of err.lines) io.err(l);
      return exitCodes.configInvalid;
    }
    try {
      await waitReady(cp.workerRedis, 3000);
      const r = await drain(cp, budget);
      io.out(JSON.stringify(r));
      return r.failed > 0 ? exitCodes.failure : exitCodes.ok;
    } catch (err) {
      io.err(`floatip drain: ${(err as Error).message}`);
      return exitCodes.failure;
    } finally {
      await cp.close();
    }
  },
};
