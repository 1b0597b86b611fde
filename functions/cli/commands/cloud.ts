/**
 * `floatip cloud inspect --config F` shows who holds every cloud resource now (read from the providers),
 * in which state (held, mixed, foreign, unheld, unreadable), and what would stop a failover from landing
 * (warnings: source/dest check on, canIpForward off, missing tables, ...; from the providers' pre-flight
 * topology reads).
 * `floatip cloud preflight --config F [--json]` proves without a write that a failover of the group would
 * be allowed and would land (core/app/preflight.ts); its exit code says what is wrong (preflightExit).
 * `floatip cloud failover --config F --to MEMBER [--dry-run]` moves the group to MEMBER through the one
 * failover use case (core/app/failover.ts) and, with --dry-run, prints the exact API calls instead.
 * With `cloud.arbiter` configured the move takes the group's lock in the control plane's Redis (so it is
 * fenced against the workers); otherwise the operator is the authority under `--epoch`.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { CliIo, Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import type { CloudRuntime } from '../../agent/cloud-setup.ts';
import type { FailoverReport } from '../../../core/app/index.ts';
import type { Fence } from '../../../core/ports/index.ts';

/** Exit codes of `cloud preflight` (README: "Pre-flight"); 5 and 64 as every command. */
export const preflightExit = { ok: 0, permission: 2, resource: 3, unreachable: 4 } as const;

const usage = [
  'floatip cloud inspect --config FILE [--json]',
  '       floatip cloud preflight --config FILE [--json]',
  '       floatip cloud failover --config FILE --to MEMBER [--dry-run] [--epoch N] [--force] [--json]',
  '',
  'FILE is a native config (YAML/JSON with a cloud: section) or a keepalived.conf with floatip-cloud.yaml',
  'next to it. failover treats every member but MEMBER as fenced (an operator decision) and prints, per',
  'resource, what it did (or, with --dry-run, the exact API calls it would make). --force also takes',
  'resources that something outside the group holds.',
  '',
  'preflight changes nothing: it reads every instance, interface, table, zone and record the group names',
  'and asks the cloud whether each write a failover needs is allowed (EC2 DryRun, GCP testIamPermissions,',
  "Azure's permissions API; Route 53 has no dry run: its write is reported unproven). Exit codes:",
  `  ${preflightExit.ok} all proven (warnings and unproven items are printed)`,
  `  ${preflightExit.permission} a permission is missing        ${preflightExit.resource} a resource is missing or does not match`,
  `  ${preflightExit.unreachable} an API did not answer            5 bad config   64 bad usage`,
  'When several apply, the highest of unreachable, resource, permission decides.',
].join('\n');

async function withRuntime(
  file: string | undefined,
  io: CliIo,
  body: (rt: CloudRuntime) => Promise<number>,
): Promise<number> {
  if (!file) {
    io.err(`floatip cloud: --config is required\nusage: ${usage}`);
    return exitCodes.usage;
  }
  // The cloud SDKs load only when this command runs.
  const { buildCloud, loadCloudSection } = await import('../../agent/cloud-setup.ts');
  const loaded = loadCloudSection(file);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(e);
    return exitCodes.configInvalid;
  }
  const built = buildCloud(loaded.value.section);
  if (!built.ok) {
    for (const e of built.errors) io.err(`${loaded.value.file}: ${e}`);
    return exitCodes.configInvalid;
  }
  try {
    return await body(built.value);
  } finally {
    await built.value.close();
  }
}

async function inspect(rt: CloudRuntime, json: boolean, io: CliIo): Promise<number> {
  const { inspectGroup, createVrrpFence } = await import('../../../core/app/index.ts');
  const seen = await inspectGroup(rt.deps(createVrrpFence()), rt.section.group);
  const rows = seen.map((v) => ({
    resource: v.resource.id,
    provider: v.resource.provider,
    kind: v.resource.kind,
    state: v.state,
    holder: v.outcome.kind === 'ok' ? v.outcome.value.holder : null,
    ...(v.outcome.kind === 'ok'
      ? { detail: v.outcome.value.detail }
      : { error: `${v.outcome.kind}: ${v.outcome.reason}` }),
    warnings: v.warnings,
  }));
  if (json) io.out(JSON.stringify({ group: rt.section.group.id, resources: rows }, null, 2));
  else {
    io.out(`group ${rt.section.group.id}: ${rows.length} resource(s)`);
    for (const r of rows)
      io.out(
        `  ${r.resource.padEnd(20)} ${`${r.provider}/${r.kind}`.padEnd(22)} ${r.state.padEnd(10)} ${'error' in r ? r.error : `holder=${r.holder ?? '(none)'}  ${JSON.stringify(r.detail)}`}${r.warnings.map((w) => `\n      warning: ${w}`).join('')}`,
      );
  }
  return rows.some((r) => 'error' in r) ? exitCodes.failure : exitCodes.ok;
}

async function preflight(rt: CloudRuntime, json: boolean, io: CliIo): Promise<number> {
  const { runPreflight } = await import('../../../core/app/index.ts');
  const report = await runPreflight({ providers: (n) => rt.providers.get(n) }, rt.section.group);
  const code = preflightExit[report.verdict];
  if (json) {
    io.out(JSON.stringify({ ...report, exitCode: code }, null, 2));
    return code;
  }
  const said: Record<string, string> = {
    ok: 'every failover of the group would be allowed and would land',
    permission: 'a permission is missing',
    resource: 'a resource is missing or does not match the config',
    unreachable: 'an API did not answer',
  };
  io.out(
    `pre-flight of group ${report.group}: ${report.verdict === 'ok' ? 'OK' : 'FAILED'}: ${said[report.verdict]}`,
  );
  for (const f of report.findings)
    io.out(`  ${f.resource.padEnd(16)} ${f.status.padEnd(18)} ${f.subject}: ${f.detail}`);
  const count = (s: string): number => report.findings.filter((f) => f.status === s).length;
  io.out(
    `${count('ok')} proven, ${count('warning')} warning(s), ${count('unproven')} unproven, ${report.findings.length - count('ok') - count('warning') - count('unproven')} problem(s); exit ${code}`,
  );
  return code;
}

/** The operator's own fence: always granted, under the epoch given on the command line. */
function operatorFence(epoch: number): Fence {
  return {
    acquire: (group) =>
      Promise.resolve({
        kind: 'ok',
        value: {
          group,
          epoch,
          check: () => Promise.resolve({ kind: 'ok', value: undefined }),
          release: () => Promise.resolve(),
        },
      }),
    current: () => Promise.resolve({ kind: 'ok', value: epoch - 1 }),
  };
}

/** The control plane's group lock when an arbiter is configured; the operator's fence otherwise. */
async function fenceFor(rt: CloudRuntime, epoch: number): Promise<{ fence: Fence; close(): void }> {
  const a = rt.section.arbiter;
  if (!a) return { fence: operatorFence(epoch), close: () => undefined };
  const { connectRedis, controlKeys, redisFence } = await import('../../../adapters/redis/index.ts');
  const redis = connectRedis(a.redis.url, 'api', undefined, 'floatip-cli');
  const fence = redisFence(redis, controlKeys(a.redis.prefix), {
    owner: `cli/${hostname()}/${process.pid}`,
    ttlMs: 30_000,
    nowMs: () => Date.now(),
  });
  return { fence, close: () => redis.disconnect() };
}

function print(r: FailoverReport, json: boolean, io: CliIo): void {
  if (json) {
    io.out(JSON.stringify(r, null, 2));
    return;
  }
  io.out(
    `${r.dryRun ? 'DRY RUN: ' : ''}failover of group ${r.group} to ${r.to} (epoch ${r.epoch}): ${r.outcome}`,
  );
  for (const x of r.resources) {
    io.out(
      `  ${x.resource}: ${x.action} -> ${x.outcome}${x.outcome === 'ok' ? (x.changed ? '' : ' (already there)') : ` ${x.reason ?? ''}`}`,
    );
    if (r.dryRun || x.changed)
      for (const c of x.calls.filter(
        (c) => r.dryRun || !/^(Describe|List|Get)|\.get$|\.list$|\.wait$/.test(c.operation),
      ))
        io.out(`      ${c.service} ${c.operation} ${JSON.stringify(c.params)}`);
  }
}

async function failover(
  rt: CloudRuntime,
  o: { to: string; epoch: number; dryRun: boolean; force: boolean; json: boolean },
  io: CliIo,
): Promise<number> {
  const members = rt.section.group.members.map((m) => m.id);
  if (!members.includes(o.to)) {
    io.err(`floatip cloud: --to ${o.to} is not a member (${members.join(', ')})`);
    return exitCodes.usage;
  }
  const { runFailover } = await import('../../../core/app/index.ts');
  const f = await fenceFor(rt, o.epoch);
  try {
    const out = await runFailover(rt.deps(f.fence), {
      group: rt.section.group,
      job: {
        kind: 'failover',
        key: `cli|${hostname()}|${process.pid}|${Date.now()}`,
        group: rt.section.group.id,
        to: o.to,
        action: 'switchover',
        reason: `floatip cloud failover --to ${o.to}`,
        source: 'cli',
      },
      dryRun: o.dryRun,
      force: o.force,
    });
    if (out.kind !== 'ok') {
      io.err(`floatip cloud failover: ${out.kind}: ${out.reason}`);
      return exitCodes.failure;
    }
    print(out.value, o.json, io);
    return out.value.failed.length > 0 ? exitCodes.failure : exitCodes.ok;
  } finally {
    f.close();
  }
}

export const cloudCommand: Command = {
  name: 'cloud',
  summary:
    'inspect who holds the cloud addresses/routes/records, prove a failover would work (preflight), or fail them over',
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string' },
          to: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          force: { type: 'boolean', default: false },
          epoch: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
        strict: true,
      }));
    } catch (err) {
      io.err(`floatip cloud: ${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
      return exitCodes.usage;
    }
    const json = values.json ?? false;
    if (sub === 'inspect') return withRuntime(values.config, io, (rt) => inspect(rt, json, io));
    if (sub === 'preflight') return withRuntime(values.config, io, (rt) => preflight(rt, json, io));
    if (sub === 'failover') {
      const to = values.to;
      if (!to) {
        io.err(`floatip cloud failover: --to MEMBER is required\nusage: ${usage}`);
        return exitCodes.usage;
      }
      const epoch = Number(values.epoch ?? 1);
      if (!Number.isInteger(epoch) || epoch < 1) {
        io.err(`floatip cloud failover: --epoch must be a positive integer, got ${values.epoch}`);
        return exitCodes.usage;
      }
      const o = { to, epoch, dryRun: values['dry-run'] ?? false, force: values.force ?? false, json };
      return withRuntime(values.config, io, (rt) => failover(rt, o, io));
    }
    io.err(`floatip cloud: unknown subcommand '${sub ?? ''}'\nusage: ${usage}`);
    return exitCodes.usage;
  },
};
