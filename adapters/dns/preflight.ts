/**
 * Pre-flight of a Route 53 record (`floatip cloud preflight`). Route 53 has no dry run, so only what a
 * read can show is proven: the zone exists and may be listed (ListResourceRecordSets, the read floatip
 * makes anyway), the record's name lies in the zone, and who the record points at now. The write
 * (ChangeResourceRecordSets, then GetChange) is reported unproven: only a change proves it.
 */
import {
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { answerOf, findingsOf, membersOf, type PreflightAnswer } from '../../core/app/preflight.ts';
import type { Holder, PreflightFinding, PreflightOptions, VipResource } from '../../core/ports/index.ts';
import type { Sleep } from '../../core/failover/index.ts';
import { classifyRoute53Error } from './errors.ts';
import { dnsHolderSpec, parseSpec, recordSpec } from './specs.ts';

export interface DnsPreflightOptions {
  region?: string;
  endpoint?: string;
  sleep: Sleep;
}

type Status = PreflightFinding['status'];

const fqdn = (n: string): string => (n.endsWith('.') ? n : `${n}.`).toLowerCase();

/** What a Route 53 error means for a pre-flight. */
function statusOf(err: unknown): { status: Status; detail: string; retry: boolean } {
  const c = classifyRoute53Error(err);
  const detail = `${c.code}: ${c.message.split('\n')[0]?.slice(0, 200) ?? ''}`;
  const http = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  // Route 53 answers a missing permission 403 AccessDenied; the status alone says it when the body does not.
  if (c.code === 'AccessDenied' || c.code === 'AccessDeniedException' || http === 403)
    return { status: 'missing-permission', detail, retry: false };
  if (c.code === 'NoSuchHostedZone') return { status: 'missing-resource', detail, retry: false };
  if (
    ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'CredentialsProviderError'].includes(
      c.code,
    )
  )
    return { status: 'unreachable', detail: `credentials refused (${c.code})`, retry: false };
  if (c.class === 'throttling' || c.class === 'transient')
    return { status: 'unreachable', detail, retry: true };
  return { status: 'mismatch', detail, retry: false };
}

/** The `preflight` of the dns provider; its own Route 53 client is made on the first call. */
export function dnsPreflight(o: DnsPreflightOptions) {
  let client: Route53Client | undefined;
  const r53 = (): Route53Client =>
    (client ??= new Route53Client({
      region: o.region ?? 'us-east-1',
      maxAttempts: 1,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    }));
  const list = (
    input: ConstructorParameters<typeof ListResourceRecordSetsCommand>[0],
  ): Promise<PreflightAnswer<ResourceRecordSet[]>> =>
    answerOf(
      async () => (await r53().send(new ListResourceRecordSetsCommand(input))).ResourceRecordSets ?? [],
      statusOf,
      o.sleep,
    );

  return async function preflight(
    r: VipResource,
    holders: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]> {
    const { out, say } = findingsOf(r.id);
    if (r.kind !== 'record') {
      say('topology', 'mismatch', `kind ${r.kind}`, 'unknown kind (record)');
      return out;
    }
    const s = parseSpec(recordSpec, r.spec, `dns resource ${r.id}`);
    if (typeof s === 'string') {
      say('topology', 'mismatch', 'spec', s);
      return out;
    }
    const members = membersOf(dnsHolderSpec, holders, 'dns', say);
    if (!members) return out;
    const zone = `hosted zone ${s.hostedZoneId}`;
    const name = fqdn(s.name);
    // The zone's first records are its apex (SOA, NS): their name is the zone's name.
    const apex = await list({ HostedZoneId: s.hostedZoneId, MaxItems: 1 });
    if (!apex.ok) {
      const permission = apex.status === 'missing-permission';
      say(
        permission ? 'permission' : apex.status === 'unreachable' ? 'reach' : 'topology',
        apex.status,
        permission ? `route53:ListResourceRecordSets on ${s.hostedZoneId}` : zone,
        apex.detail,
      );
      if (!permission) return out;
    } else {
      if (options.permissions)
        say('permission', 'ok', `route53:ListResourceRecordSets on ${s.hostedZoneId}`, 'allowed (read)');
      const first = apex.value[0];
      const zoneName = first && (first.Type === 'SOA' || first.Type === 'NS') ? fqdn(first.Name ?? '') : null;
      if (zoneName && name !== zoneName && !name.endsWith(`.${zoneName}`))
        say('topology', 'mismatch', `record ${name} ${s.type}`, `is not in ${s.hostedZoneId} (${zoneName})`);
      else say('topology', 'ok', zone, `exists${zoneName ? ` (${zoneName})` : ''}`);
    }
    const wrongFamily = members.filter((m) => m.spec.address.includes(':') !== (s.type === 'AAAA'));
    for (const m of wrongFamily)
      say('topology', 'mismatch', `member ${m.id}`, `address ${m.spec.address} cannot be a ${s.type} record`);
    if (apex.ok) {
      const got = await list({
        HostedZoneId: s.hostedZoneId,
        StartRecordName: name,
        StartRecordType: s.type,
        MaxItems: 1,
      });
      if (got.ok) {
        const rec = got.value[0];
        const found = rec && fqdn(rec.Name ?? '') === name && rec.Type === s.type ? rec : null;
        const values = (found?.ResourceRecords ?? []).map((v) => v.Value ?? '');
        const holder = members.find((m) => values.length === 1 && values[0] === m.spec.address);
        if (!found)
          say('topology', 'ok', `record ${name} ${s.type}`, 'absent (the first failover creates it)');
        else if (found.AliasTarget || !holder)
          say(
            'topology',
            'warning',
            `record ${name} ${s.type}`,
            `points at ${found.AliasTarget?.DNSName ?? values.join(', ')}, not a member: a failover takes it only with --force`,
            true,
          );
        else say('topology', 'ok', `record ${name} ${s.type}`, `points at ${holder.id} (${values[0]})`);
      } else
        say(
          got.status === 'unreachable' ? 'reach' : 'topology',
          got.status,
          `record ${name} ${s.type}`,
          got.detail,
        );
    }
    if (options.permissions)
      for (const action of ['ChangeResourceRecordSets', 'GetChange'])
        say(
          'permission',
          'unproven',
          `route53:${action} on ${s.hostedZoneId}`,
          'Route 53 has no dry run: only a real change proves this permission',
        );
    return out;
  };
}
