/**
 * A stateful Route 53 emulator (REST + XML, API 2013-04-01) for the real @aws-sdk/client-route-53:
 * ChangeResourceRecordSets (CREATE / DELETE / UPSERT, applied atomically per batch, CREATE of an existing
 * record and DELETE of a record that does not match exactly -> 400 InvalidChangeBatch), GetChange
 * (PENDING for `changePolls` polls, then INSYNC) and ListResourceRecordSets. Throttling answers 400
 * Throttling, like Route 53.
 */
import { serve, type Emulator, type RawRequest, type RawResponse } from './http.ts';
import { Faults, StaleView, type FaultOptions } from './faults.ts';
import { xml, xmlBlocks, xmlText } from './xml.ts';

export interface RecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export interface Route53Emulator extends Emulator {
  faults: Faults;
  /** zone id -> "name|type" -> record */
  zones: Map<string, Map<string, RecordSet>>;
  requests: Array<{ method: string; path: string }>;
}

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const fqdn = (n: string): string => (n.endsWith('.') ? n : `${n}.`);

class R53Error extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export async function startRoute53Emulator(
  options: FaultOptions & { changePolls?: number; zones?: string[] } = {},
): Promise<Route53Emulator> {
  const faults = new Faults(options);
  const stale = new StaleView<RecordSet | undefined>(faults);
  const zones = new Map<string, Map<string, RecordSet>>(
    (options.zones ?? ['Z0FIPTEST']).map((z) => [z, new Map()]),
  );
  const changes = new Map<string, number>();
  const requests: Route53Emulator['requests'] = [];
  let n = 0;

  const out = (root: string, body: string): RawResponse => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS}">${body}</${root}>`,
  });
  const fail = (e: R53Error): RawResponse => ({
    status: e.status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${xml(e.message)}</Message></Error><RequestId>req-${++n}</RequestId></ErrorResponse>`,
  });
  const zoneOf = (id: string): Map<string, RecordSet> => {
    const z = zones.get(id);
    if (!z) throw new R53Error('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
    return z;
  };
  const recordXml = (r: RecordSet): string =>
    `<ResourceRecordSet>${xml({ Name: r.name, Type: r.type, TTL: r.ttl })}<ResourceRecords>${r.values
      .map((v) => `<ResourceRecord><Value>${xml(v)}</Value></ResourceRecord>`)
      .join('')}</ResourceRecords></ResourceRecordSet>`;
  const same = (a: RecordSet, b: RecordSet): boolean =>
    a.ttl === b.ttl && [...a.values].sort().join(',') === [...b.values].sort().join(',');

  const change = (zoneId: string, body: string): RawResponse => {
    const zone = zoneOf(zoneId);
    const next = new Map(zone);
    const parsed = xmlBlocks(body, 'Change').map((c) => {
      const set = xmlText(c, 'ResourceRecordSet') ?? '';
      const rec: RecordSet = {
        name: fqdn(xmlText(set, 'Name') ?? ''),
        type: xmlText(set, 'Type') ?? '',
        ttl: Number(xmlText(set, 'TTL') ?? 300),
        values: xmlBlocks(set, 'Value'),
      };
      return { action: xmlText(c, 'Action') ?? '', rec };
    });
    if (parsed.length === 0) throw new R53Error('InvalidInput', 'ChangeBatch has no changes');
    for (const { action, rec } of parsed) {
      const key = `${rec.name}|${rec.type}`;
      const cur = next.get(key);
      if (action === 'CREATE') {
        if (cur)
          throw new R53Error(
            'InvalidChangeBatch',
            `[Tried to create resource record set [name='${rec.name}', type='${rec.type}'] but it already exists]`,
          );
        next.set(key, rec);
      } else if (action === 'DELETE') {
        if (!cur || !same(cur, rec))
          throw new R53Error(
            'InvalidChangeBatch',
            `[Tried to delete resource record set [name='${rec.name}', type='${rec.type}'] but the values provided do not match the current values]`,
          );
        next.delete(key);
      } else if (action === 'UPSERT') next.set(key, rec);
      else throw new R53Error('InvalidInput', `Invalid action ${action}`);
    }
    for (const { rec } of parsed)
      stale.remember(`${zoneId}/${rec.name}|${rec.type}`, zone.get(`${rec.name}|${rec.type}`));
    zones.set(zoneId, next);
    const id = `C${(++n).toString(16).toUpperCase().padStart(10, '0')}`;
    changes.set(id, options.changePolls ?? 1);
    return out(
      'ChangeResourceRecordSetsResponse',
      `<ChangeInfo>${xml({ Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: new Date().toISOString() })}</ChangeInfo>`,
    );
  };

  const handle = async (req: RawRequest): Promise<RawResponse> => {
    requests.push({ method: req.method, path: req.path });
    const isWrite = req.method === 'POST';
    const fault = await faults.admit(`${req.method} ${req.path}`, isWrite);
    if (fault === 'throttle' || fault === 'busy') return fail(new R53Error('Throttling', 'Rate exceeded'));
    if (fault === 'server-error') return fail(new R53Error('InternalFailure', 'Internal failure', 500));
    try {
      let m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(req.path);
      if (m && req.method === 'POST') return change(m[1] ?? '', req.body);
      if (m && req.method === 'GET') {
        const zoneId = m[1] ?? '';
        const zone = zoneOf(zoneId);
        const name = fqdn(req.query.get('name') ?? '');
        const type = req.query.get('type') ?? '';
        const max = Number(req.query.get('maxitems') ?? 100);
        // Records from (name, type) on, in Route 53's order: by name with its labels reversed
        // (com.example.vip.), then by type.
        const order = (k: string): string => {
          const [n = '', t = ''] = k.split('|');
          return `${n.split('.').reverse().join('.')}|${t}`;
        };
        const keys = [...zone.keys()]
          .sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0))
          .filter((k) => order(k) >= order(`${name}|${type}`));
        const shown = keys
          .slice(0, max)
          .map((k) => stale.read(`${zoneId}/${k}`, zone.get(k)))
          .filter((r): r is RecordSet => r !== undefined);
        const pending = stale.read(`${zoneId}/${name}|${type}`, undefined);
        const list =
          pending && !shown.some((r) => r.name === name && r.type === type) ? [pending, ...shown] : shown;
        return out(
          'ListResourceRecordSetsResponse',
          `<ResourceRecordSets>${list.map(recordXml).join('')}</ResourceRecordSets>${xml({ IsTruncated: keys.length > max, MaxItems: max })}`,
        );
      }
      m = /^\/2013-04-01\/change\/([^/]+)$/.exec(req.path);
      if (m && req.method === 'GET') {
        const id = m[1] ?? '';
        const left = changes.get(id);
        if (left === undefined) throw new R53Error('NoSuchChange', `Change ${id} not found`, 404);
        changes.set(id, left - 1);
        const status = left > 0 ? 'PENDING' : 'INSYNC';
        return out(
          'GetChangeResponse',
          `<ChangeInfo>${xml({ Id: `/change/${id}`, Status: status, SubmittedAt: new Date().toISOString() })}</ChangeInfo>`,
        );
      }
      throw new R53Error('InvalidInput', `not emulated: ${req.method} ${req.path}`, 404);
    } catch (e) {
      if (e instanceof R53Error) return fail(e);
      throw e;
    }
  };

  const server = await serve(handle);
  return { ...server, faults, zones, requests };
}
