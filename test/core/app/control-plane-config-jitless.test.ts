/**
 * The control-plane config is parsed once per process (a function's cold start parses it before its first
 * answer), so zod's JIT is left out of that parse: a parser compiled with `new Function` per object
 * schema would run once. Its own file: zod compiles a schema on its first parse in the process only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { testConfigInput } from '../../e2e/control-plane/fixture.ts';

test('parsing the control-plane config compiles no code (zod jitless)', () => {
  const real = globalThis.Function;
  let compiled = 0;
  globalThis.Function = new Proxy(real, {
    construct(target, args: string[]) {
      compiled++;
      return Reflect.construct(target, args) as object;
    },
  });
  try {
    assert.equal(parseControlPlaneConfig(testConfigInput('p')).ok, true);
  } finally {
    globalThis.Function = real;
  }
  assert.equal(compiled, 0);
});
