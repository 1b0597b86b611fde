// The translator's side table (core/config/translate/context.ts Ctx): where each field of each built
// object was written. It keeps positions compactly (packed numbers, small arrays, a Map for long lists)
// and answers them as they were given, whatever the file, line, column or key spelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Diagnostics, type SourcePos } from '../../../core/config/diagnostics.ts';
import { Ctx } from '../../../core/config/translate/context.ts';

const pos = fc.record({
  file: fc.constantFrom('keepalived.conf', 'keepalived.conf', 'conf.d/lvs.conf'),
  line: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 2 ** 22 })),
  column: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 100_000 })),
});
const key = fc.oneof(fc.constantFrom('address', 'port', 'weight', '__proto__', '01'), fc.nat({ max: 40 }));

test('positionOf answers the first position marked for each field, exactly', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 3 }), key, pos, fc.boolean()), { maxLength: 120 }),
      (marks) => {
        const ctx = new Ctx(new Diagnostics(500, false));
        const objs = [{}, {}, [], []];
        const expected = new Map<object, Map<string, SourcePos>>();
        for (const [o, k, p, asText] of marks) {
          const obj = objs[o] as object;
          // A field marked as 3 is the field looked up as '3', as for any object's property.
          ctx.mark(obj, asText ? String(k) : k, { ...p, text: 'x', quoted: false } as SourcePos);
          const fields = expected.get(obj) ?? new Map<string, SourcePos>();
          if (!fields.has(String(k))) fields.set(String(k), { ...p });
          expected.set(obj, fields);
        }
        for (const obj of objs)
          for (const k of [
            'address',
            'port',
            'weight',
            '__proto__',
            '01',
            '1',
            ...Array.from({ length: 41 }, (_, i) => i),
          ]) {
            const want = expected.get(obj)?.get(String(k));
            assert.deepEqual(ctx.positionOf(obj, k), want);
            if (typeof k === 'number') assert.deepEqual(ctx.positionOf(obj, String(k)), want);
          }
      },
    ),
  );
});

test('a list of thousands of entries answers each position; locate walks a path to the deepest', () => {
  const ctx = new Ctx(new Diagnostics(500, false));
  const list: object[] = [];
  const root = { list };
  ctx.mark(root, 'list', { file: 'a.conf', line: 1, column: 1 });
  for (let i = 0; i < 10_000; i++) {
    const rs = { port: i };
    list.push(rs);
    ctx.mark(list, i, { file: 'a.conf', line: 10 + i * 3, column: 5 });
    ctx.mark(rs, 'port', { file: 'a.conf', line: 11 + i * 3, column: 9 });
  }
  assert.deepEqual(ctx.positionOf(list, 9_999), { file: 'a.conf', line: 10 + 9_999 * 3, column: 5 });
  assert.deepEqual(ctx.locate(root, ['list', 4321, 'port']), {
    file: 'a.conf',
    line: 11 + 4321 * 3,
    column: 9,
  });
  assert.deepEqual(ctx.locate(root, ['list', 4321, 'weight']), {
    file: 'a.conf',
    line: 10 + 4321 * 3,
    column: 5,
  });
  assert.equal(ctx.written(root, ['list', 12, 'port']), true);
  assert.equal(ctx.written(root, ['list', 12, 'weight']), false);
});
