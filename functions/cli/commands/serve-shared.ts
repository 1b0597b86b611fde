/** Option parsing and signal handling shared by `serve`, `worker`, `control-plane` and `drain`. */
import { parseArgs } from 'node:util';
import type { CliIo } from '../command.ts';
import { exitCodes } from '../command.ts';
import type { RunOptions } from '../../control-plane/index.ts';

export const defaultControlConfig = '/etc/floatip/floatip.control.yaml';

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function runMode(
  name: string,
  mode: RunOptions['mode'],
  args: string[],
  io: CliIo,
  extra: { demo?: boolean } = {},
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string' },
        'no-schedule': { type: 'boolean' },
        demo: { type: 'boolean' },
        'exit-after-demo': { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`floatip ${name}: ${(e as Error).message}`);
    return exitCodes.usage;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    io.err(`floatip ${name}: --port must be an integer from 0 to 65535`);
    return exitCodes.usage;
  }
  // Redis, hono and the cloud SDKs load only when a control-plane command runs.
  const { runControlPlane } = await import('../../control-plane/index.ts');
  const code = await runControlPlane({
    configPath: typeof values.config === 'string' ? values.config : defaultControlConfig,
    mode,
    ...(typeof values.host === 'string' ? { host: values.host } : {}),
    ...(port === undefined ? {} : { port }),
    schedule: values['no-schedule'] !== true,
    demo: extra.demo === true || values.demo === true,
    exitAfterDemo: values['exit-after-demo'] === true,
    stop: untilSignal(),
    io,
  });
  // Everything was closed within its bounds; a client still retrying an unreachable store must not keep
  // the process alive after that (an unref'd timer fires only if something else holds the loop).
  setTimeout(() => process.exit(code), 200).unref();
  return code;
}
