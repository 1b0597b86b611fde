import type { Redis } from 'ioredis';
import { ok } from '../../core/model/index.ts';
import type { AgentReportStore, StoredAgentReport } from '../../core/ports/agent-report-store.ts';
import type { ControlKeys } from './keys.ts';
import { storeDown } from './scripts.ts';

/**
 * Agent status reports in Redis: one key per agent under the config's prefix, written with `EX ttlSec`,
 * so an agent that stops reporting drops off the status page by itself.
 */
export function redisAgentReports(redis: Redis, keys: ControlKeys, ttlSec = 30): AgentReportStore {
  const base = `${keys.prefix}:agent:`;
  return {
    ttlSec,
    async put(name, stored) {
      try {
        await redis.set(`${base}${name}`, JSON.stringify(stored), 'EX', ttlSec);
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
    async list() {
      try {
        const names: string[] = [];
        let cursor = '0';
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 500);
          cursor = next;
          names.push(...found);
        } while (cursor !== '0' && names.length < 10_000);
        if (names.length === 0) return ok([]);
        const values = await redis.mget(...names.sort());
        const out: StoredAgentReport[] = [];
        for (const v of values) {
          if (v === null) continue; // expired between SCAN and MGET
          try {
            out.push(JSON.parse(v) as StoredAgentReport);
          } catch {
            // not ours; skip it
          }
        }
        return ok(out);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
