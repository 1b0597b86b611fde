/**
 * The LB table an nftables data plane holds, and how ops change it. nftables has no IPVS-style objects to
 * edit one by one, so the adapter keeps the table it last installed, applies the ops here (refusing bad
 * ones before anything is sent), and installs the result as one ruleset transaction.
 *
 * List order follows IPVS: a new destination goes to the head of its service's list.
 */
import type { LbDestination, LbOp, LbService, LbServiceKey, LbTable } from '../../../core/ports/index.ts';
import {
  canonicalAddr,
  describeDest,
  describeService,
  destId,
  serviceId,
} from '../../../core/model/index.ts';

export class LbOpError extends Error {
  override name = 'LbOpError';
}

function canonicalKey(key: LbServiceKey): LbServiceKey {
  if (key.kind === 'fwmark') return { ...key };
  return { ...key, addr: canonicalAddr(key.family, key.addr) ?? key.addr };
}

function findService(services: LbService[], key: LbServiceKey): LbService {
  const svc = services.find((s) => serviceId(s.key) === serviceId(key));
  if (!svc) throw new LbOpError(`virtual service ${describeService(key)} does not exist`);
  return svc;
}

/**
 * The destinations of each service by identity, built on first use: a table of 5,000 destinations took
 * seconds to apply when every add-dest compared its id with every destination's (an n² of address parses).
 */
class DestIndex {
  readonly #byService = new Map<LbService, Map<string, LbDestination>>();
  of(svc: LbService): Map<string, LbDestination> {
    let m = this.#byService.get(svc);
    if (m === undefined) {
      m = new Map(svc.destinations.map((d) => [destId(d), d]));
      this.#byService.set(svc, m);
    }
    return m;
  }
}

/** Returns a new table with `ops` applied in order, or throws LbOpError naming the op that cannot apply. */
export function applyLbOps(table: LbTable, ops: readonly LbOp[]): LbTable {
  const services: LbService[] = table.services.map((s) => ({
    ...s,
    destinations: s.destinations.map((d) => ({ ...d })),
  }));
  const index = new DestIndex();
  let timeouts = table.timeouts;
  for (const op of ops) {
    switch (op.kind) {
      case 'set-timeouts': {
        const before = timeouts ?? { tcp: 900, tcpFin: 120, udp: 300 };
        timeouts = {
          tcp: op.timeouts.tcp || before.tcp,
          tcpFin: op.timeouts.tcpFin || before.tcpFin,
          udp: op.timeouts.udp || before.udp,
        };
        break;
      }
      case 'add-service': {
        if (services.some((s) => serviceId(s.key) === serviceId(op.service.key))) {
          throw new LbOpError(`virtual service ${describeService(op.service.key)} already exists`);
        }
        services.push({ ...op.service, key: canonicalKey(op.service.key), destinations: [] });
        break;
      }
      case 'edit-service': {
        const svc = findService(services, op.service.key);
        Object.assign(svc, { ...op.service, key: svc.key });
        break;
      }
      case 'delete-service': {
        const svc = findService(services, op.key);
        services.splice(services.indexOf(svc), 1);
        break;
      }
      case 'add-dest': {
        const svc = findService(services, op.service);
        const dests = index.of(svc);
        const id = destId(op.dest);
        if (dests.has(id)) {
          throw new LbOpError(
            `${describeService(op.service)} real server ${describeDest(op.dest)} already exists`,
          );
        }
        const addr = canonicalAddr(op.dest.family, op.dest.addr) ?? op.dest.addr;
        // Destinations are never changed in place here (an edit replaces one), so the op's own object is
        // the table's when its address is canonical already: no copy per real server.
        const dest = addr === op.dest.addr ? op.dest : { ...op.dest, addr };
        dests.set(id, dest);
        // New destinations go to the head of the list, as IPVS puts them.
        svc.destinations.unshift(dest);
        break;
      }
      case 'edit-dest':
      case 'delete-dest': {
        const svc = findService(services, op.service);
        const dests = index.of(svc);
        const id = destId(op.dest);
        const cur = dests.get(id);
        const at = cur === undefined ? -1 : svc.destinations.indexOf(cur);
        if (cur === undefined || at < 0) {
          throw new LbOpError(
            `${describeService(op.service)} real server ${describeDest(op.dest)} does not exist`,
          );
        }
        if (op.kind === 'delete-dest') {
          svc.destinations.splice(at, 1);
          dests.delete(id);
        } else {
          const next = { ...op.dest, addr: cur.addr };
          svc.destinations[at] = next;
          dests.set(id, next);
        }
        break;
      }
      default: {
        const never: never = op;
        throw new LbOpError(`unknown op ${JSON.stringify(never)}`);
      }
    }
  }
  return timeouts ? { services, timeouts } : { services };
}
