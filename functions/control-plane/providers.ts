import { z } from 'zod';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import type { Holder, VipProvider } from '../../core/ports/index.ts';
import { AwsVipProvider } from '../../adapters/aws/index.ts';
import { MemoryVipProvider } from '../../adapters/memory/index.ts';
import { ControlConfigError } from './config.ts';

const awsSettings = z.strictObject({
  region: z.string().min(1),
  /** An emulator or a VPC endpoint; the SDK's own endpoint otherwise. */
  endpoint: z.url().optional(),
});

/** Every member of every group that has a resource on `provider`; one id must mean one member. */
function membersOn(config: ControlPlaneConfig, provider: string): Holder[] {
  const seen = new Map<string, { group: string; spec: string }>();
  const out: Holder[] = [];
  for (const g of config.groups) {
    if (!g.resources.some((r) => r.provider === provider)) continue;
    for (const m of g.members) {
      const spec = JSON.stringify(m.spec);
      const prev = seen.get(m.id);
      if (prev && prev.spec !== spec)
        throw new ControlConfigError([
          `controlPlane.groups (${g.id}): member '${m.id}' has a different spec than in group '${prev.group}'; ${provider} members are shared by id`,
        ]);
      if (!prev) {
        seen.set(m.id, { group: g.id, spec });
        out.push({ id: m.id, spec: m.spec });
      }
    }
  }
  return out;
}

/**
 * The providers the config's resources name, built once. `memory` needs no settings (demos, tests); a
 * cloud provider without its `controlPlane.providers.<name>` settings is a start-up error, not a default.
 */
export function buildProviders(config: ControlPlaneConfig): Record<string, VipProvider> {
  const names = new Set(config.groups.flatMap((g) => g.resources.map((r) => r.provider)));
  const out: Record<string, VipProvider> = {};
  for (const name of names) {
    if (name === 'memory') {
      out.memory = new MemoryVipProvider('memory');
      continue;
    }
    const settings = config.providers[name];
    if (name !== 'aws')
      throw new ControlConfigError([
        `controlPlane.groups: provider '${name}' is not available in the control plane yet (supported: memory, aws)`,
      ]);
    if (settings === undefined)
      throw new ControlConfigError([
        `controlPlane.providers.aws: missing (region, and endpoint when not AWS's own)`,
      ]);
    const s = awsSettings.safeParse(settings);
    if (!s.success) {
      const issue = s.error.issues[0];
      throw new ControlConfigError([
        `controlPlane.providers.aws.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      ]);
    }
    try {
      out.aws = new AwsVipProvider({
        region: s.data.region,
        ...(s.data.endpoint ? { endpoint: s.data.endpoint } : {}),
        members: membersOn(config, 'aws'),
      });
    } catch (err) {
      if (err instanceof ControlConfigError) throw err;
      throw new ControlConfigError([`controlPlane.groups: ${(err as Error).message}`]);
    }
  }
  return out;
}
