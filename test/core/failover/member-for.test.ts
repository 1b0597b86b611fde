import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memberFor } from '../../../core/failover/index.ts';

const members = [
  { id: 'a', spec: 1 },
  { id: 'b', spec: 2 },
];

test('memberFor: the holder named, or the first member when observing', () => {
  assert.equal(memberFor(members, 'b', 'gcp'), members[1]);
  assert.equal(memberFor(members, null, 'gcp'), members[0]);
});

test('memberFor: a holder that is no member is named, with the article of the provider type', () => {
  assert.equal(memberFor(members, 'c', 'gcp'), 'gcp: c is not a gcp member');
  assert.equal(memberFor(members, 'c', 'dns'), 'dns: c is not a dns member');
  assert.equal(memberFor(members, 'c', 'aws'), 'aws: c is not an aws member');
  assert.equal(memberFor(members, 'c', 'azure'), 'azure: c is not an azure member');
});

test('memberFor: with no members, observing needs the fallback; a named holder is still refused', () => {
  const fallback = { id: '', spec: 0 };
  assert.equal(memberFor([], null, 'azure'), 'azure: null is not an azure member');
  assert.equal(memberFor([], null, 'aws', fallback), fallback);
  assert.equal(memberFor([], 'a', 'aws', fallback), 'aws: a is not an aws member');
});
