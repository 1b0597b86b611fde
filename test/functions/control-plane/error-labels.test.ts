import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { knownErrorCodes, providerErrorLabels } from '../../../functions/control-plane/error-labels.ts';

test('error labels: class from the outcome kind and throttling codes, code from a fixed set', () => {
  const at = (kind: 'retry' | 'conflict' | 'give-up', reason: string) =>
    providerErrorLabels({ kind, reason });
  assert.deepEqual(at('retry', 'ec2:AssociateAddress RequestLimitExceeded: slow down'), {
    service: 'ec2',
    class: 'throttling',
    code: 'RequestLimitExceeded',
  });
  assert.deepEqual(at('retry', "resource 'r': compute:routes.insert HTTP503: backend"), {
    service: 'compute',
    class: 'transient',
    code: 'HTTP503',
  });
  assert.deepEqual(at('conflict', 'network:routes.createOrUpdate PreconditionFailed: etag'), {
    service: 'network',
    class: 'conflict',
    code: 'PreconditionFailed',
  });
  // A code outside the fixed set never becomes a label value of its own.
  assert.deepEqual(at('give-up', 'route53:ChangeResourceRecordSets SomethingNew42: no'), {
    service: 'route53',
    class: 'fatal',
    code: 'other',
  });
  // Not a provider API failure: no label set (jobs_total counts it).
  assert.equal(at('conflict', 'epoch 4 is stale: fenced'), null);
});

test('every error code the adapters classify by name has its own label value', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  for (const p of ['aws', 'azure', 'dns', 'gcp']) {
    const text = readFileSync(join(root, 'adapters', p, 'errors.ts'), 'utf8');
    const sets = [...text.matchAll(/new Set\(\[([^\]]*)\]\)/g)].map((m) => m[1] ?? '');
    assert.ok(
      sets.length > 0,
      `adapters/${p}/errors.ts: found no code sets (did the classifier change shape?)`,
    );
    for (const s of sets)
      for (const m of s.matchAll(/'([^']+)'/g))
        assert.ok(
          knownErrorCodes.has(m[1] ?? ''),
          `adapters/${p}/errors.ts: code ${m[1]} is not a known label`,
        );
  }
});
