/**
 * A `.json` control-plane config is read by JSON.parse (no YAML reader on a function's cold start), with the
 * check YAML makes and JSON.parse does not: a name twice in one object is refused with its line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstDuplicateName } from '../../../core/config/json-names.ts';
import { ControlConfigError, parseDocument } from '../../../functions/control-plane/config.ts';

test('names twice in one object are found with their line; equal names in other objects are not', () => {
  assert.equal(firstDuplicateName('{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}'), null);
  assert.deepEqual(firstDuplicateName('{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}'), { name: 'a', line: 4 });
  // Escapes are names like any other: "\u0061" is "a".
  assert.deepEqual(firstDuplicateName('{"a": 1, "\\u0061": 2}'), { name: 'a', line: 1 });
  // Strings that look like names (values, array items, with brackets or quotes inside) are not names.
  assert.equal(firstDuplicateName('{"a": "a", "b": ["a", "a"], "c": "x\\": {\\"d", "d": "}{"}'), null);
  assert.deepEqual(firstDuplicateName('{"x": {"y": 1}, "z": {"q": 1,\n"q" : 2}}'), { name: 'q', line: 2 });
});

test('a .json file is JSON: a syntax error or a repeated name is refused naming the file', () => {
  assert.deepEqual(parseDocument('c.json', '{"controlPlane": {"groups": []}}'), {
    controlPlane: { groups: [] },
  });
  assert.throws(
    () => parseDocument('/etc/c.json', '{\n "controlPlane": {},\n "controlPlane": {"groups": []}\n}'),
    (e: unknown) =>
      e instanceof ControlConfigError &&
      e.lines[0] === '/etc/c.json: line 3: "controlPlane" appears twice in one object',
  );
  assert.throws(
    () => parseDocument('/etc/c.json', 'controlPlane: {}'),
    (e: unknown) => e instanceof ControlConfigError && e.lines[0]?.startsWith('/etc/c.json: ') === true,
  );
  // Any other name is YAML, which also refuses a repeated key.
  assert.deepEqual(parseDocument('c.yaml', 'controlPlane: {groups: []}'), { controlPlane: { groups: [] } });
  assert.throws(() => parseDocument('c.yaml', 'a: 1\na: 2\n'), ControlConfigError);
});
