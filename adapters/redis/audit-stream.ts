import type { Redis } from 'ioredis';
import { ok } from '../../core/model/index.ts';
import type { AuditEntry, AuditRecord, AuditSink } from '../../core/ports/index.ts';
import type { ControlKeys } from './keys.ts';
import { storeDown } from './scripts.ts';

/** How many audit entries the stream keeps (approximately; XADD MAXLEN ~). */
export const auditMaxLen = 100_000;

function decode(id: string, fields: string[]): AuditRecord | null {
  const at = fields.indexOf('entry');
  const json = at >= 0 ? fields[at + 1] : undefined;
  if (json === undefined) return null;
  try {
    return { id, ...(JSON.parse(json) as AuditEntry) };
  } catch {
    return null;
  }
}

/** AuditSink on a Redis Stream: one entry per decision, fields `group` and `entry` (JSON). */
export function redisAuditStream(redis: Redis, keys: ControlKeys): AuditSink {
  return {
    async append(entry) {
      try {
        const id = await redis.xadd(
          keys.audit(),
          'MAXLEN',
          '~',
          auditMaxLen,
          '*',
          'group',
          entry.group,
          'entry',
          JSON.stringify(entry),
        );
        return ok({ id: id ?? '' });
      } catch (err) {
        return storeDown(err);
      }
    },
    async list({ group, limit }) {
      try {
        const out: AuditRecord[] = [];
        let end = '+';
        // Scan newest first in pages, filtering by group, until `limit` entries or the stream's start.
        for (;;) {
          const page = (await redis.xrevrange(keys.audit(), end, '-', 'COUNT', 500)) as [string, string[]][];
          for (const [id, fields] of page) {
            const rec = decode(id, fields);
            if (rec && (group === undefined || rec.group === group)) out.push(rec);
            if (out.length >= limit) return ok(out);
          }
          const last = page[page.length - 1];
          if (page.length < 500 || !last) return ok(out);
          end = `(${last[0]}`;
        }
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
