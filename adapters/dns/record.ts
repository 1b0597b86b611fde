import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { Outcome } from '../../core/model/index.ts';
import type { Random } from '../../core/ports/index.ts';
import {
  withRetries,
  type BackoffPolicy,
  type KindDriver,
  type ProviderCall,
  type Sleep,
  type Write,
} from '../../core/failover/index.ts';
import type { DnsHolderSpec, RecordSpec } from './specs.ts';

export interface DnsMember {
  id: string;
  spec: DnsHolderSpec;
}

export interface DnsContext {
  route53: Route53Client;
  members: readonly DnsMember[];
  verify: BackoffPolicy;
  random: Random;
  sleep: Sleep;
  call: ProviderCall;
}

const fqdn = (n: string): string => (n.endsWith('.') ? n : `${n}.`);

/**
 * One A/AAAA record whose single value is the holder's address.
 * - nobody holds it and it does not exist: CREATE (fails if a racing claimer created it first);
 * - it exists (takeover from a fenced member, a TTL to fix): DELETE of the exact record read + CREATE of
 *   the new one in ONE change batch. Route 53 applies a batch all or nothing and refuses a DELETE whose
 *   values no longer match, so this is a compare-and-set: if anyone changed the record since we read it,
 *   nothing is written (InvalidChangeBatch -> conflict -> re-read). UPSERT would overwrite blindly.
 * - release: DELETE with the exact values read (fails if someone changed it since).
 * A write waits for the change to be INSYNC (GetChange, with backoff) before the read-back.
 */
export function recordDriver(
  ctx: DnsContext,
  id: string,
  spec: RecordSpec,
  target: DnsMember,
  takeover: boolean,
): KindDriver<ResourceRecordSet | null> {
  const name = fqdn(spec.name);
  const values = (r: ResourceRecordSet | null): string[] =>
    (r?.ResourceRecords ?? []).map((x) => x.Value ?? '');
  const holds = (r: ResourceRecordSet | null, m: DnsMember): boolean => {
    const v = values(r);
    return v.length === 1 && v[0] === m.spec.address;
  };
  const write = (changes: Change[]): Write => {
    const params = {
      HostedZoneId: spec.hostedZoneId,
      ChangeBatch: { Comment: `floatip ${id}`, Changes: changes },
    };
    return {
      call: { service: 'route53', operation: 'ChangeResourceRecordSets', params },
      async run(log) {
        const sent = await ctx.call(log, 'ChangeResourceRecordSets', params, () =>
          ctx.route53.send(new ChangeResourceRecordSetsCommand(params)),
        );
        if (sent.kind !== 'ok') return sent;
        const changeId = sent.value.ChangeInfo?.Id ?? '';
        if (sent.value.ChangeInfo?.Status === 'INSYNC') return { kind: 'ok', value: undefined };
        return withRetries(ctx.verify, ctx, async (): Promise<Outcome<undefined>> => {
          const got = await ctx.call(log, 'GetChange', { Id: changeId }, () =>
            ctx.route53.send(new GetChangeCommand({ Id: changeId })),
          );
          if (got.kind !== 'ok') return got;
          return got.value.ChangeInfo?.Status === 'INSYNC'
            ? { kind: 'ok', value: undefined }
            : { kind: 'retry', reason: `${id}: change ${changeId} still PENDING` };
        });
      },
    };
  };
  const record = (address: string): ResourceRecordSet => ({
    Name: name,
    Type: spec.type,
    TTL: spec.ttl,
    ResourceRecords: [{ Value: address }],
  });
  return {
    async read(log): Promise<Outcome<ResourceRecordSet | null>> {
      const params = {
        HostedZoneId: spec.hostedZoneId,
        StartRecordName: name,
        StartRecordType: spec.type,
        MaxItems: 1,
      };
      const out = await ctx.call(log, 'ListResourceRecordSets', params, () =>
        ctx.route53.send(new ListResourceRecordSetsCommand(params)),
      );
      if (out.kind !== 'ok') return out;
      const r = out.value.ResourceRecordSets?.[0];
      return { kind: 'ok', value: r && fqdn(r.Name ?? '') === name && r.Type === spec.type ? r : null };
    },
    observe: (r) => ({
      resource: id,
      holder: ctx.members.find((m) => holds(r, m))?.id ?? null,
      ...(r !== null && !ctx.members.some((m) => holds(r, m)) ? { state: 'foreign' as const } : {}),
      detail: { name, type: spec.type, values: values(r), ttl: r?.TTL ?? null },
    }),
    acquireWrites(r) {
      if (holds(r, target) && r?.TTL === spec.ttl) return { kind: 'ok', value: [] };
      if (r === null)
        return {
          kind: 'ok',
          value: [write([{ Action: 'CREATE', ResourceRecordSet: record(target.spec.address) }])],
        };
      const known = ctx.members.some((m) => holds(r, m));
      if (!known && !takeover)
        return { kind: 'conflict', reason: `${id}: ${name} points at ${values(r).join(',')}, not a member` };
      return {
        kind: 'ok',
        value: [
          write([
            { Action: 'DELETE', ResourceRecordSet: r },
            { Action: 'CREATE', ResourceRecordSet: record(target.spec.address) },
          ]),
        ],
      };
    },
    releaseWrites(r) {
      if (!holds(r, target) || r === null) return { kind: 'ok', value: [] };
      return { kind: 'ok', value: [write([{ Action: 'DELETE', ResourceRecordSet: r }])] };
    },
  };
}
