/** The pre-flight use case: which members are asked about what, how findings rank, and that it never throws. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as z from 'zod';
import { runPreflight, verdictOf } from '../../../core/app/index.ts';
import { findingsOf, membersOf } from '../../../core/app/preflight.ts';
import type { GroupConfig } from '../../../core/config/failover-group.ts';
import type { Holder, PreflightFinding, VipProvider } from '../../../core/ports/index.ts';

const group: GroupConfig = {
  id: 'web',
  members: [
    { id: 'a', priority: 200, settings: { x: { nic: 'a' } } },
    { id: 'b', priority: 100, settings: { x: { nic: 'b' }, y: {} } },
  ],
  resources: [
    { id: 'r1', provider: 'x', kind: 'k', spec: {} },
    { id: 'r2', provider: 'y', kind: 'k', spec: {} },
  ],
};

const finding = (status: PreflightFinding['status']): PreflightFinding => ({
  resource: 'r',
  check: 'topology',
  status,
  subject: 's',
  detail: 'd',
});

const stub = (preflight?: VipProvider['preflight']): VipProvider => ({
  name: 'stub',
  observe: () => Promise.resolve({ kind: 'give-up', reason: 'unused' }),
  acquire: () => Promise.resolve({ kind: 'give-up', reason: 'unused' }),
  release: () => Promise.resolve({ kind: 'give-up', reason: 'unused' }),
  ...(preflight ? { preflight } : {}),
});

test('the verdict is the worst finding: unreachable > resource > permission > ok', () => {
  assert.equal(verdictOf([]), 'ok');
  assert.equal(verdictOf([finding('ok'), finding('warning'), finding('unproven')]), 'ok');
  assert.equal(verdictOf([finding('missing-permission'), finding('ok')]), 'permission');
  assert.equal(verdictOf([finding('missing-permission'), finding('mismatch')]), 'resource');
  assert.equal(verdictOf([finding('missing-resource'), finding('missing-permission')]), 'resource');
  assert.equal(verdictOf([finding('missing-resource'), finding('unreachable')]), 'unreachable');
});

test('each provider is asked about its resources with the members that have its settings', async () => {
  const asked: Array<[string, string[]]> = [];
  const x = stub((r, members: readonly Holder[]) => {
    asked.push([r.id, members.map((m) => `${m.id}:${JSON.stringify(m.spec)}`)]);
    return Promise.resolve([{ ...finding('missing-permission'), resource: r.id }]);
  });
  const y = stub((r, members) => {
    asked.push([r.id, members.map((m) => m.id)]);
    return Promise.resolve([{ ...finding('ok'), resource: r.id }]);
  });
  const report = await runPreflight({ providers: (n) => ({ x, y })[n] }, group);
  assert.deepEqual(asked.sort(), [
    ['r1', ['a:{"nic":"a"}', 'b:{"nic":"b"}']],
    ['r2', ['b']],
  ]);
  assert.equal(report.verdict, 'permission');
  assert.deepEqual(
    report.findings.map((f) => [f.resource, f.status]),
    [
      ['r1', 'missing-permission'],
      ['r2', 'ok'],
    ],
  );
});

test('no pre-flight, no provider, no member, or a provider that throws: reported, never thrown', async () => {
  const throwing = stub(() => Promise.reject(new Error('socket hang up')));
  const cases: Array<[Record<string, VipProvider>, string, RegExp]> = [
    [{ x: stub(), y: stub() }, 'ok', /unproven provider x: this provider has no pre-flight checks/],
    [{ y: stub() }, 'resource', /mismatch provider x: not configured/],
    [{ x: throwing, y: stub() }, 'unreachable', /unreachable provider x: socket hang up/],
  ];
  for (const [providers, verdict, line] of cases) {
    const report = await runPreflight({ providers: (n) => providers[n] }, group);
    assert.equal(report.verdict, verdict);
    assert.match(report.findings.map((f) => `${f.status} ${f.subject}: ${f.detail}`).join('\n'), line);
  }
  const lonely: GroupConfig = { ...group, resources: [{ id: 'r3', provider: 'z', kind: 'k', spec: {} }] };
  const z = stub(() => Promise.resolve([]));
  const report = await runPreflight({ providers: () => z }, lonely);
  assert.deepEqual(
    report.findings.map((f) => [f.status, f.detail]),
    [['mismatch', 'no member of group web has z settings']],
  );
});

test('membersOf: good members come back parsed; a bad one is said as a members mismatch, not thrown', () => {
  const schema = z.object({ nic: z.string() });
  const { out, say } = findingsOf('r1');
  assert.deepEqual(membersOf(schema, [{ id: 'a', spec: { nic: 'eni-a' } }], 'x', say), [
    { id: 'a', spec: { nic: 'eni-a' } },
  ]);
  assert.equal(out.length, 0);
  assert.equal(membersOf(schema, [{ id: 'b', spec: { nic: 7 } }], 'x', say), undefined);
  assert.equal(out.length, 1);
  assert.equal(out[0]?.check, 'topology');
  assert.equal(out[0]?.status, 'mismatch');
  assert.equal(out[0]?.subject, 'members');
  assert.match(out[0]?.detail ?? '', /^x member b: nic: /);
});
