// One contract suite, run against every scheduler (STYLE.md guideline 4). A scheduler may skip a case
// only with a reason from the rule book, listed in its entry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEDULER_NAMES } from '../../../core/lb/index.ts';
import type {
  Request,
  SchedulerName,
  VirtualService,
  VirtualServiceOptions,
} from '../../../core/lb/index.ts';
import { REQ, serviceInListOrder } from './helpers.ts';
import type { ServerDef } from './helpers.ts';

type CaseName =
  | 'empty service -> null'
  | 'all weight 0 -> null'
  | 'all OVERLOAD -> null'
  | 'the only eligible dest is always chosen'
  | 'a removed dest is never chosen'
  | 'scheduling leaves the counters alone'
  | 'same inputs, same decisions'
  | 'IPv6 clients and servers';

interface Entry {
  label: string;
  scheduler: SchedulerName;
  options?: Partial<VirtualServiceOptions>;
  skip?: Partial<Record<CaseName, string>>;
}

const NO_FALLBACK = 'no fallback: a client hashed to an unusable dest gets null (rule book §7, §8, §11)';
const entries: Entry[] = [
  ...SCHEDULER_NAMES.map((scheduler): Entry => {
    if (scheduler === 'dh' || scheduler === 'sh' || scheduler === 'mh') {
      return {
        label: scheduler,
        scheduler,
        skip: { 'the only eligible dest is always chosen': NO_FALLBACK },
      };
    }
    return { label: scheduler, scheduler };
  }),
  { label: 'sh + sh-fallback', scheduler: 'sh', options: { flags: { shFallback: true } } },
  {
    label: 'sh + sh-port',
    scheduler: 'sh',
    options: { flags: { shPort: true } },
    skip: { 'the only eligible dest is always chosen': NO_FALLBACK },
  },
  { label: 'mh + mh-fallback', scheduler: 'mh', options: { flags: { mhFallback: true } } },
  {
    label: 'mh + mh-port',
    scheduler: 'mh',
    options: { flags: { mhPort: true } },
    skip: { 'the only eligible dest is always chosen': NO_FALLBACK },
  },
  {
    label: 'rr + persistence',
    scheduler: 'rr',
    options: { persistence: { timeout: 300 } },
    skip: { 'scheduling leaves the counters alone': 'templates count as persistConns (rule book §16)' },
  },
];

const clients = (n: number, v6 = false): Request[] =>
  Array.from({ length: n }, (_, i) => ({
    ...REQ,
    saddr: v6
      ? `2001:db8:${i.toString(16)}::${(i * 7 + 1).toString(16)}`
      : `198.18.${i % 250}.${(i * 7) % 250}`,
    daddr: v6 ? `2001:db8:ffff::${(i % 5).toString(16)}` : `203.0.113.${i % 5}`,
    sport: 1024 + i * 13,
    time: i,
  }));

const five: ServerDef[] = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, weight: i + 1 }));

const cases: Record<CaseName, (make: (defs: ServerDef[]) => VirtualService) => void> = {
  'empty service -> null': (make) => {
    const vs = make([]);
    for (const r of clients(5)) assert.equal(vs.schedule(r), null);
  },
  'all weight 0 -> null': (make) => {
    const vs = make(five.map((d) => ({ ...d, weight: 0 })));
    for (const r of clients(20)) assert.equal(vs.schedule(r), null);
  },
  'all OVERLOAD -> null': (make) => {
    const vs = make(five);
    for (const d of five) vs.setOverload(d.id, true);
    for (const r of clients(20)) assert.equal(vs.schedule(r), null);
  },
  'the only eligible dest is always chosen': (make) => {
    const vs = make(five);
    vs.editServer('a', { weight: 0 });
    vs.setOverload('b', true);
    vs.editServer('d', { weight: 0 });
    vs.setOverload('e', true);
    for (const r of clients(50)) assert.equal(vs.schedule(r), 'c');
  },
  'a removed dest is never chosen': (make) => {
    const vs = make(five);
    for (const r of clients(10)) vs.schedule(r);
    vs.removeServer('c');
    vs.removeServer('e');
    for (const r of clients(60)) {
      const id = vs.schedule({ ...r, time: 100 + (r.time ?? 0) });
      assert.ok(id === 'a' || id === 'b' || id === 'd', `got ${String(id)}`);
    }
  },
  'scheduling leaves the counters alone': (make) => {
    const vs = make(five);
    vs.setConns('b', { activeConns: 3, inactConns: 1 });
    const before = vs.servers();
    for (const r of clients(30)) vs.schedule(r);
    assert.deepEqual(vs.servers(), before);
  },
  'same inputs, same decisions': (make) => {
    const one = make(five);
    const two = make(five);
    const seq = (vs: VirtualService) => clients(40).map((r) => vs.schedule(r));
    assert.deepEqual(seq(one), seq(two));
  },
  'IPv6 clients and servers': (make) => {
    const vs = make(five.map((d, i) => ({ ...d, addr: `2001:db8:1::${i + 1}` })));
    const got = new Set(clients(40, true).map((r) => vs.schedule(r)));
    assert.ok(!got.has(null), 'every client gets a server');
    for (const id of got) assert.ok(['a', 'b', 'c', 'd', 'e'].includes(String(id)));
  },
};

for (const entry of entries) {
  describe(`contract: ${entry.label}`, () => {
    const make = (defs: ServerDef[]): VirtualService =>
      serviceInListOrder(entry.scheduler, defs, entry.options ?? {});
    for (const [name, body] of Object.entries(cases) as [CaseName, (typeof cases)[CaseName]][]) {
      const reason = entry.skip?.[name];
      test(name, reason === undefined ? {} : { skip: reason }, () => body(make));
    }
  });
}
