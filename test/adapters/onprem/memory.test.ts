/**
 * releaseMemory (adapters/onprem/memory.ts): after a start-up-like peak of short-lived objects that
 * reached V8's old generation, V8's committed heap shrinks back toward what is live. Without the
 * collection (or with one that keeps the grown heap) the heap stays at its peak and the test fails.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import v8 from 'node:v8';
import { releaseMemory } from '../../../adapters/onprem/memory.ts';

const MB = 1024 * 1024;

it('gives back the heap a dropped peak grew, and trims the C heap', () => {
  let peak: Array<{ i: number; s: string }> | null = [];
  for (let i = 0; i < 600_000; i++) peak.push({ i, s: `line ${i} of a large transaction` });
  const grown = v8.getHeapStatistics().total_heap_size;
  assert.ok(grown > 40 * MB, `the peak grew the heap to ${(grown / MB).toFixed(1)} MB`);
  peak = null;
  const r = releaseMemory();
  assert.equal(peak, null);
  assert.ok(
    r.heapAfter < r.heapBefore - 20 * MB,
    `heap ${(r.heapBefore / MB).toFixed(1)} -> ${(r.heapAfter / MB).toFixed(1)} MB`,
  );
  assert.equal(typeof r.trimmed, 'boolean');
  // a second call works too (the gc function is kept)
  assert.ok(releaseMemory().heapAfter <= r.heapAfter + 2 * MB);
});
