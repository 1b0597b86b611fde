// The block parser fed line by line by the pre-processor (what parseKeepalived does, so the file's
// tokenised lines are never all held at once) gives the tree and diagnostics the two-pass form gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Diagnostics } from '../../../core/config/diagnostics.ts';
import { blockParser, parseBlocks } from '../../../core/config/parser.ts';
import { preprocess, preprocessInto } from '../../../core/config/preprocess.ts';
import { seedDir } from './helpers.ts';

function bothWays(text: string) {
  const d1 = new Diagnostics();
  const tree1 = parseBlocks(preprocess(text, 'k.conf', {}, d1), d1, 4);
  const d2 = new Diagnostics();
  const parser = blockParser(d2, 4);
  preprocessInto(text, 'k.conf', {}, d2, parser.line);
  const tree2 = parser.end();
  return { tree1, tree2, diags1: d1.sorted(), diags2: d2.sorted() };
}

test('line by line and all lines first give the same tree and diagnostics', () => {
  const texts = readdirSync(seedDir)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => readFileSync(join(seedDir, f), 'utf8'));
  // Every brace rule: a `{` on the next line, one-liners, stray and missing braces, too deep a nesting.
  texts.push(
    'global_defs\n{\n  router_id a\n}\nvrrp_instance VI { track_script { chk } }\n}\n{ x }\n' +
      'a {\n b {\n  c {\n   d {\n    e {\n     f 1\n    }\n   }\n  }\n }\n}\nvirtual_server 10.0.0.1 80 {\n',
  );
  assert.ok(texts.length > 1);
  for (const text of texts) {
    const r = bothWays(text);
    assert.deepEqual(r.tree2, r.tree1);
    assert.deepEqual(r.diags2, r.diags1);
  }
  assert.ok(bothWays(texts.at(-1) ?? '').diags1.length >= 4); // the malformed text has its errors
});

test('each line reaches the parser before the next one is read', () => {
  const d = new Diagnostics();
  const seen: number[] = [];
  assert.throws(() =>
    preprocessInto('a 1\nb "unterminated\n', 'k.conf', {}, d, (line) => {
      seen.push(line.line);
      throw new Error('stop');
    }),
  );
  // Collected first, line 2's error would have been reported before line 1 was handed over.
  assert.deepEqual(seen, [1]);
  assert.deepEqual(d.sorted(), []);
});
