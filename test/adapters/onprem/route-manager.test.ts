// @needs root iproute2
/**
 * The rtnetlink RouteManager in a lab namespace: the same lines applied by floatip in d1 and by iproute2
 * (`ip route prepend … proto keepalived`, `ip rule add … protocol keepalived`) in d2 give the same
 * `ip -j` output; adds and removes are idempotent; kernel refusals name the route and the errno.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab } from '../../helpers/netns.ts';
import { keepalivedEntries } from '../../netns/vrrp/lib/routes-state.ts';
import { nodeBin } from './lab-tool.ts';

const routeTool = fileURLToPath(new URL('./lab-scripts/route-tool.ts', import.meta.url));

const ROUTES = [
  '10.50.0.0/16 via 10.99.0.1 dev eth0',
  '10.51.0.0/24 dev eth0 table 100 metric 5 scope link',
  'blackhole 10.52.0.0/24',
  'prohibit 10.53.0.0/24 table 1000',
  'default via 10.99.0.1 table 200',
  'src 127.0.0.1 10.54.0.0/24 dev eth0 scope link',
  'fd00:50::/64 via fd00:99::1 dev eth0 metric 7',
  '10.55.0.0/24 via 10.99.0.1 dev eth0 onlink',
];
const RULES = [
  'from 10.50.0.0/16 table 100 preference 100',
  'to 10.60.0.0/24 fwmark 0x10/0xff iif eth0 lookup 200 priority 101',
  'from fd00:50::/64 table 100 preference 102',
  'not from 10.1.0.0/16 table 300 preference 103',
  'from 10.2.0.0/16 prohibit preference 105',
  'from 10.3.0.0/16 oif eth0 goto 300 preference 104',
];

describe('rtnetlink RouteManager in a netns lab', () => {
  let lab: Lab;
  const tool = (node: string, args: string[]) =>
    lab
      .exec(node, [nodeBin, routeTool, ...args])
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { ok?: true; error?: string });
  before(() => {
    lab = createLab({ directors: 2, client: false });
  });
  after(() => lab?.destroy());

  it('installs what iproute2 installs for the same lines', () => {
    assert.deepEqual(
      tool('d1', ['add', 'route', ...ROUTES]),
      ROUTES.map(() => ({ ok: true })),
    );
    assert.deepEqual(
      tool('d1', ['add', 'rule', ...RULES]),
      RULES.map(() => ({ ok: true })),
    );
    for (const r of ROUTES) {
      const fam = r.includes(':') ? '-6' : '-4';
      lab.exec('d2', ['ip', fam, 'route', 'prepend', ...r.split(' '), 'proto', 'keepalived']);
    }
    for (const r of RULES) {
      const fam = r.includes(':') ? '-6' : '-4';
      lab.exec('d2', ['ip', fam, 'rule', 'add', ...r.split(' '), 'protocol', 'keepalived']);
    }
    const mine = keepalivedEntries(lab, 'd1');
    assert.equal(mine.length, ROUTES.length + RULES.length);
    assert.deepEqual(mine, keepalivedEntries(lab, 'd2'));
  });

  it('adding again is not an error and adds nothing; removing twice is not an error', () => {
    const before = keepalivedEntries(lab, 'd1');
    assert.deepEqual(
      tool('d1', ['add', 'route', ...ROUTES]),
      ROUTES.map(() => ({ ok: true })),
    );
    assert.deepEqual(
      tool('d1', ['add', 'rule', ...RULES]),
      RULES.map(() => ({ ok: true })),
    );
    assert.deepEqual(keepalivedEntries(lab, 'd1'), before);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(
        tool('d1', ['remove', 'rule', ...RULES]),
        RULES.map(() => ({ ok: true })),
      );
      assert.deepEqual(
        tool('d1', ['remove', 'route', ...ROUTES]),
        ROUTES.map(() => ({ ok: true })),
      );
    }
    assert.deepEqual(keepalivedEntries(lab, 'd1'), []);
  });

  it('a remove takes only our route: a same-prefix route of another protocol stays', () => {
    lab.exec('d1', ['ip', 'route', 'add', '10.56.0.0/24', 'via', '10.99.0.1', 'proto', 'static']);
    assert.deepEqual(tool('d1', ['remove', 'route', '10.56.0.0/24 via 10.99.0.1']), [{ ok: true }]);
    assert.match(lab.exec('d1', ['ip', 'route', 'show', '10.56.0.0/24']), /proto static/);
  });

  it("reports the kernel's refusal with the route and errno, and an unknown device by name", () => {
    assert.deepEqual(tool('d1', ['add', 'route', '10.57.0.0/24 via 10.88.0.1']), [
      { error: 'add route 10.57.0.0/24 via 10.88.0.1: ENETUNREACH: Network is unreachable' },
    ]);
    assert.deepEqual(tool('d1', ['add', 'route', '10.58.0.0/24 dev nosuch0']), [
      { error: 'add route 10.58.0.0/24 dev nosuch0: no network interface named "nosuch0"' },
    ]);
    assert.deepEqual(tool('d1', ['remove', 'route', '10.58.0.0/24 dev nosuch0']), [{ ok: true }]);
  });
});
