import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countAndFirst, countWords } from '../../../core/app/log-summary.ts';

it('counts words in order of first appearance', () => {
  const steps = ['add-service', ...Array.from({ length: 5000 }, () => 'add-dest'), 'edit-dest'];
  assert.equal(countWords(steps), 'add-service ×1, add-dest ×5000, edit-dest ×1');
  assert.equal(countWords([]), '');
});

it('names the first few of a long list and how many more', () => {
  assert.equal(countAndFirst('real servers', ['a', 'b']), '2 real servers: a, b');
  assert.equal(
    countAndFirst('real servers', ['a', 'b', 'c', 'd', 'e']),
    '5 real servers: a, b, c, … (2 more)',
  );
  assert.equal(countAndFirst('real servers', []), '0 real servers');
});
