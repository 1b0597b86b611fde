import * as z from 'zod';
import { lazySchema } from '../validate.ts';

/**
 * What an agent posts to `POST /v1/agents/{name}/report`: the same data `floatip status --json` (`vrrp`)
 * and `floatip status --lvs --json` (`lvs`) print. The fields the status page shows are checked; any other
 * field is kept as sent (the agent's status grows over time) within the body limit.
 */
function buildAgentReportSchema() {
  const short = z.string().max(256);
  const int = z
    .number()
    .int()
    .min(-1)
    .max(2 ** 32);

  const vrrpInstance = z.looseObject({
    name: short,
    state: short,
    vrid: int,
    version: int.optional(),
    interfaceName: short.optional(),
    basePriority: int,
    effectivePriority: int,
    master: z
      .looseObject({ address: short, priority: int, lastAdvertAgoMs: z.number().optional() })
      .optional(),
    vips: z.array(short).max(10_000),
    vipsPresent: z.boolean().optional(),
  });

  const destination = z.looseObject({ addr: short, port: int, weight: int });
  const service = z.looseObject({
    key: z.union([
      z.looseObject({ kind: z.literal('addr'), protocol: short, addr: short, port: int }),
      z.looseObject({ kind: z.literal('fwmark'), fwmark: int }),
    ]),
    scheduler: short,
    destinations: z.array(destination).max(100_000),
  });

  return z.strictObject({
    vrrp: z
      .looseObject({ instances: z.array(vrrpInstance).max(10_000) })
      .nullable()
      .optional(),
    lvs: z
      .looseObject({
        plane: short.optional(),
        error: short.optional(),
        services: z.array(service).max(10_000),
      })
      .nullable()
      .optional(),
    /** The agent's own words about reporting (e.g. why the LVS side is absent). */
    note: short.optional(),
  });
}

/** Built on first use (a function's cold start never sees an agent report). */
export const agentReportSchema = lazySchema(buildAgentReportSchema);

export type AgentReport = z.infer<ReturnType<typeof agentReportSchema>>;

/** Agent names as the rest of the config names things. */
export const agentName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Reports are larger than alerts: an LVS table of thousands of real servers fits in 4 MiB. */
export const agentReportLimitBytes = 4 << 20;
