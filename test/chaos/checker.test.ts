/** The history checker finds each kind of violation it promises to find (so a clean run means something). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHistory, explainedBreaks, type History, type RecordedEntry } from './checker.ts';

const entry = (
  id: string,
  epoch: number,
  from: string | null,
  to: string,
  job: string,
  outcome = 'ok',
): RecordedEntry => ({
  id,
  group: 'g',
  epoch,
  action: 'switchover',
  outcome,
  from,
  to,
  job,
});

const clean = (): History => ({
  groups: [{ id: 'g', resources: ['r'] }],
  requests: [
    { atMs: 1, what: 'switchover', group: 'g', status: 202, jobs: ['j1'] },
    { atMs: 2, what: 'switchover', group: 'g', status: 202, jobs: ['j2'] },
    { atMs: 3, what: 'switchover', group: 'g', status: 503, jobs: [] },
  ],
  jobs: [
    { id: 'j1', state: 'completed', outcome: 'committed', failedReason: null },
    { id: 'j2', state: 'completed', outcome: 'superseded', failedReason: null },
  ],
  audit: [
    entry('100-0', 1, null, 'a', 'k1'),
    entry('200-0', 2, 'a', 'a', 'k2', 'superseded'),
    entry('300-0', 3, 'a', 'b', 'k3'),
  ],
  writes: [
    { atMs: 90, resource: 'r', holder: 'a', epoch: 1, job: 'k1', version: 1 },
    { atMs: 290, resource: 'r', holder: 'b', epoch: 3, job: 'k3', version: 2 },
  ],
  final: { r: 'b' },
});

test('a clean history has no violations', () => {
  assert.deepEqual(checkHistory(clean()), []);
});

test('each promise, broken once, is reported', () => {
  const cases: Array<[string, (h: History) => void, RegExp]> = [
    ['unaccounted', (h) => (h.jobs = h.jobs.slice(1)), /accepted switchover \(job j1\) has no job/],
    [
      'busy failure',
      (h) => (h.jobs[0] = { id: 'j1', state: 'failed', outcome: null, failedReason: "group 'g' is busy" }),
      /failed because the group was busy/,
    ],
    [
      'left queued',
      (h) => (h.jobs[0] = { id: 'j1', state: 'delayed', outcome: null, failedReason: null }),
      /left delayed/,
    ],
    ['epoch order', (h) => (h.audit[2] = { ...h.audit[2]!, epoch: 1 }), /epoch 1 \(k3\) after 2/],
    ['chain', (h) => (h.audit[2] = { ...h.audit[2]!, from: 'c' }), /chain broken/],
    ['final holder', (h) => (h.final = { r: 'a' }), /r ends on a, the highest committed epoch 3 chose b/],
    [
      'stale write',
      (h) => h.writes.push({ atMs: 350, resource: 'r', holder: 'a', epoch: 2, job: 'k2', version: 3 }),
      /under epoch 2 \(k2\) landed after epoch 3 committed/,
    ],
    ['settled twice', (h) => h.audit.push(entry('400-0', 4, 'b', 'b', 'k1', 'noop')), /job k1 settled twice/],
  ];
  for (const [name, spoil, want] of cases) {
    const h = clean();
    spoil(h);
    const v = checkHistory(h);
    assert.ok(
      v.some((x) => want.test(x)),
      `${name}: ${JSON.stringify(v)}`,
    );
  }
});

test('a chain break is accepted only when the cloud log shows an unrecorded write fenced newer than every decision', () => {
  // k2 (epoch 2) wrote c and died before recording; k3 (epoch 3) found c where a was recorded.
  const died = (): History => {
    const h = clean();
    h.audit = [entry('100-0', 1, null, 'a', 'k1'), entry('300-0', 3, 'c', 'b', 'k3')];
    h.writes = [
      { atMs: 90, resource: 'r', holder: 'a', epoch: 1, job: 'k1', version: 1 },
      { atMs: 150, resource: 'r', holder: 'c', epoch: 2, job: 'k2', version: 2 },
      { atMs: 290, resource: 'r', holder: 'b', epoch: 3, job: 'k3', version: 3 },
    ];
    h.requests = [];
    h.jobs = [];
    return h;
  };
  assert.deepEqual(checkHistory(died()), []);
  assert.equal(explainedBreaks(died()), 1);
  // The same write under an epoch no newer than the last decision is a stale write, not an explanation.
  const stale = died();
  stale.writes[1] = { ...stale.writes[1]!, epoch: 1, job: 'k0' };
  assert.match(checkHistory(stale).join('\n'), /chain broken/);
  // A write by a job that did record its decision explains nothing (its entry is the record).
  const recorded = died();
  recorded.audit.splice(1, 0, entry('200-0', 2, 'a', 'a', 'k2', 'noop'));
  assert.match(checkHistory(recorded).join('\n'), /chain broken/);
  // No write at all: a break nobody explains.
  const none = died();
  none.writes.splice(1, 1);
  assert.match(checkHistory(none).join('\n'), /chain broken/);
});
