/**
 * `floatip cloud inspect --config F` shows who holds every cloud resource now (read from the providers).
 * `floatip cloud failover --config F --to MEMBER [--dry-run]` moves them all to MEMBER (taking over from
 * the other members) and, with --dry-run, prints the exact API calls it would make instead.
 */
import { parseArgs } from 'node:util';
import type { CliIo, Command } from '../command.ts';
import { exitCodes } from '../command.ts';
import { observeAll, runFailover } from '../../../core/failover/index.ts';
import type { CloudRuntime } from '../../agent/cloud-setup.ts';

const usage = [
  'floatip cloud inspect --config FILE [--json]',
  '       floatip cloud failover --config FILE --to MEMBER [--dry-run] [--epoch N] [--json]',
  '',
  'FILE is a native config (YAML/JSON with a cloud: section) or a keepalived.conf with floatip-cloud.yaml',
  'next to it. failover treats every member but MEMBER as fenced (an operator decision) and prints, per',
  'resource, what it did (or, with --dry-run, the exact API calls it would make).',
].join('\n');

async function withRuntime(
  file: string | undefined,
  dryRun: boolean,
  io: CliIo,
  body: (rt: CloudRuntime) => Promise<number>,
): Promise<number> {
  if (!file) {
    io.err(`floatip cloud: --config is required\nusage: ${usage}`);
    return exitCodes.usage;
  }
  // The cloud SDKs load only when this command runs.
  const { buildCloud, closeCloud, loadCloudSection } = await import('../../agent/cloud-setup.ts');
  const loaded = loadCloudSection(file);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(e);
    return exitCodes.configInvalid;
  }
  const built = buildCloud(loaded.value.section, { dryRun });
  if (!built.ok) {
    for (const e of built.errors) io.err(`${loaded.value.file}: ${e}`);
    return exitCodes.configInvalid;
  }
  try {
    return await body(built.value);
  } finally {
    await closeCloud(built.value);
  }
}

async function inspect(rt: CloudRuntime, json: boolean, io: CliIo): Promise<number> {
  const seen = await observeAll(
    rt.resources.map((r) => r.id),
    rt.deps,
  );
  const rows = seen.map((s) => {
    const r = rt.deps.resources.get(s.id);
    return {
      resource: s.id,
      provider: r?.provider ?? '?',
      kind: r?.kind ?? '?',
      holder: s.outcome.kind === 'ok' ? s.outcome.value.holder : null,
      ...(s.outcome.kind === 'ok'
        ? { detail: s.outcome.value.detail }
        : { error: `${s.outcome.kind}: ${s.outcome.reason}` }),
    };
  });
  if (json) io.out(JSON.stringify({ group: rt.section.group, resources: rows }, null, 2));
  else {
    io.out(`group ${rt.section.group}: ${rows.length} resource(s)`);
    for (const r of rows)
      io.out(
        `  ${r.resource.padEnd(20)} ${`${r.provider}/${r.kind}`.padEnd(22)} ${'error' in r ? `UNREADABLE ${r.error}` : `holder=${r.holder ?? '(none)'}  ${JSON.stringify(r.detail)}`}`,
      );
  }
  return rows.some((r) => 'error' in r) ? exitCodes.failure : exitCodes.ok;
}

async function failover(
  rt: CloudRuntime,
  to: string,
  epoch: number,
  dryRun: boolean,
  json: boolean,
  io: CliIo,
): Promise<number> {
  if (!rt.members.includes(to)) {
    io.err(`floatip cloud: --to ${to} is not a member (${rt.members.join(', ')})`);
    return exitCodes.usage;
  }
  const out = await runFailover(
    {
      resources: rt.resources.map((r) => r.id),
      desired: to,
      epoch,
      fenced: rt.members.filter((m) => m !== to),
    },
    rt.deps,
  );
  if (out.kind === 'unreadable') {
    for (const f of out.failures) io.err(`cannot read ${f.id}: ${f.reason}`);
    return exitCodes.failure;
  }
  const results = out.report.results.map((r) => ({
    resource: r.action.resource,
    action: r.action.kind,
    ...(r.action.kind === 'acquire' ? { from: r.action.from, takeover: r.action.takeover } : {}),
    outcome: r.outcome?.kind ?? 'blocked',
    ...(r.outcome?.kind === 'ok'
      ? { changed: r.outcome.value.changed, calls: r.outcome.value.calls }
      : r.outcome
        ? { reason: r.outcome.reason }
        : r.action.kind === 'blocked'
          ? { reason: r.action.reason }
          : {}),
  }));
  if (json) io.out(JSON.stringify({ dryRun, to, epoch, ok: out.report.ok, results }, null, 2));
  else {
    io.out(`${dryRun ? 'DRY RUN: ' : ''}failover of group ${rt.section.group} to ${to} (epoch ${epoch})`);
    for (const r of results) {
      io.out(
        `  ${r.resource}: ${r.action}${'from' in r && r.from ? ` from ${r.from}` : ''} -> ${r.outcome}${'changed' in r ? (r.changed ? '' : ' (already there)') : ` ${'reason' in r ? r.reason : ''}`}`,
      );
      if ('calls' in r && (dryRun || r.changed))
        for (const c of r.calls.filter(
          (c) => dryRun || !/^(Describe|List|Get)|\.get$|\.wait$/.test(c.operation),
        ))
          io.out(`      ${c.service} ${c.operation} ${JSON.stringify(c.params)}`);
    }
  }
  return out.report.ok ? exitCodes.ok : exitCodes.failure;
}

export const cloudCommand: Command = {
  name: 'cloud',
  summary: 'inspect who holds the cloud addresses/routes/records, or fail them over (with --dry-run)',
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
          epoch: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
        strict: true,
      }));
    } catch (err) {
      io.err(`floatip cloud: ${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
      return exitCodes.usage;
    }
    const dryRun = values['dry-run'] ?? false;
    if (sub === 'inspect')
      return withRuntime(values.config, false, io, (rt) => inspect(rt, values.json ?? false, io));
    if (sub === 'failover') {
      if (!values.to) {
        io.err(`floatip cloud failover: --to MEMBER is required\nusage: ${usage}`);
        return exitCodes.usage;
      }
      const epoch = Number(values.epoch ?? 1);
      if (!Number.isInteger(epoch) || epoch < 0) {
        io.err(`floatip cloud failover: --epoch must be a non-negative integer, got ${values.epoch}`);
        return exitCodes.usage;
      }
      const to = values.to;
      return withRuntime(values.config, dryRun, io, (rt) =>
        failover(rt, to, epoch, dryRun, values.json ?? false, io),
      );
    }
    io.err(`floatip cloud: unknown subcommand '${sub ?? ''}'\nusage: ${usage}`);
    return exitCodes.usage;
  },
};
