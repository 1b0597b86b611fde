/**
 * `floatip check-config` on the control plane's file (a YAML/JSON file with a top-level `controlPlane:`):
 * the same checks `floatip serve` / `worker` / `control-plane` make at start, without connecting to Redis:
 * the schema (every problem with its path), each provider's settings, and whether the environment
 * variables that hold secrets are set here (a warning: the file may be meant for another machine).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { redactSecrets } from '../../shared/redact.ts';
import type { CliIo } from '../command.ts';
import { exitCodes } from '../command.ts';

/** True for a YAML/JSON file whose top level has `controlPlane`. */
export function isControlPlaneFile(file: string): boolean {
  if (!/\.(ya?ml|json)$/i.test(file)) return false;
  try {
    const doc: unknown = parse(readFileSync(file, 'utf8'));
    return typeof doc === 'object' && doc !== null && Object.hasOwn(doc, 'controlPlane');
  } catch {
    return false; // the agent's loader reports what is wrong with it
  }
}

/** The environment variables the config takes secrets from that are not set in `env`. */
function unsetSecrets(config: ControlPlaneConfig, env: NodeJS.ProcessEnv): string[] {
  const named = [
    ...config.tokens.map((t, i) => ({ where: `controlPlane.tokens[${i}] (${t.name})`, env: t.env })),
    { where: 'controlPlane.webhooks.hmac', env: config.webhooks.hmac?.env },
  ];
  return named
    .filter((n) => n.env !== undefined && !env[n.env])
    .map((n) => `${n.where}: environment variable ${n.env} is not set here; start would fail`);
}

export async function checkControlPlaneFile(
  file: string,
  o: { json: boolean; showSecrets: boolean },
  io: CliIo,
): Promise<number> {
  const { ControlConfigError, loadControlPlaneConfig } = await import('../../control-plane/config.ts');
  const { describeRedis } = await import('../../../adapters/redis/connection.ts');
  let config: ControlPlaneConfig;
  try {
    config = await loadControlPlaneConfig(file);
    const { buildProviders } = await import('../../shared/providers.ts');
    const built = buildProviders(config.providers, config.groups, { env: process.env });
    if (!built.ok) throw new ControlConfigError(built.errors.map((e) => `controlPlane.${e}`));
  } catch (err) {
    if (!(err instanceof ControlConfigError)) throw err;
    for (const l of err.lines)
      io.err(l.startsWith(`${file}: `) ? l.replace(': ', ': error: ') : `${file}: error: ${l}`);
    io.err(`${file}: ${err.lines.length} error${err.lines.length === 1 ? '' : 's'}; configuration rejected`);
    return exitCodes.configInvalid;
  }
  for (const w of unsetSecrets(config, process.env)) io.err(`${file}: warning: ${w}`);
  if (o.json) {
    io.out(JSON.stringify({ controlPlane: o.showSecrets ? config : redactSecrets(config) }, null, 2));
    return exitCodes.ok;
  }
  const scopes = config.tokens.map((t) => `${t.name} (${t.scopes.join(', ')})`).join(', ');
  const hooks = [config.webhooks.hmac ? 'hmac' : '', config.webhooks.sns ? 'sns' : ''].filter(Boolean);
  io.out(
    `${file}: control-plane configuration OK — ${config.groups.length} group(s), ${config.tokens.length} token(s), ` +
      `${config.alerts.length} alert mapping(s); Redis ${describeRedis(config.redis)} prefix '${config.redis.prefix}'; ` +
      `API on ${config.http.host}:${config.http.port}`,
  );
  for (const g of config.groups)
    io.out(
      `  group ${g.id}: members ${g.members.map((m) => `${m.id} (${m.priority})`).join(', ')}; ` +
        `resources ${g.resources.map((r) => `${r.id} (${r.provider} ${r.kind})`).join(', ')}`,
    );
  io.out(`  tokens: ${scopes || 'none'}; signed webhooks: ${hooks.join(', ') || 'none'}`);
  return exitCodes.ok;
}
