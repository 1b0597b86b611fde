// The dependency rule must be able to fail: lint snippets as if they were files in core/ and expect the
// machine check to reject each impurity, and accept a pure one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const eslint = new ESLint({ cwd: process.cwd() });

async function messages(code: string, file = 'core/vrrp/example.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const impure: Array<[string, string]> = [
  ['node builtin', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
  ['bare builtin', "import { createSocket } from 'dgram';\nexport const f = createSocket;\n"],
  [
    'adapter import',
    "import { systemClock } from '../../adapters/system/index.ts';\nexport const c = systemClock;\n",
  ],
  ['Date.now', 'export const t = (): number => Date.now();\n'],
  ['new Date()', 'export const t = (): Date => new Date();\n'],
  ['Math.random', 'export const r = (): number => Math.random();\n'],
  ['setTimeout', 'export const s = (f: () => void): unknown => setTimeout(f, 1);\n'],
  ['process', 'export const e = (): unknown => process.env;\n'],
  ['Buffer', 'export const b = (): unknown => Buffer.alloc(1);\n'],
];

for (const [what, code] of impure) {
  test(`core purity check rejects ${what}`, async () => {
    const found = await messages(code);
    assert.ok(
      found.some((m) => m.includes('core/ is pure') || m.includes('core/ may import only core/')),
      `expected a purity error for ${what}, got ${JSON.stringify(found)}`,
    );
  });
}

test('core purity check accepts pure code, and the same impure code outside core/', async () => {
  assert.deepEqual(await messages('export const add = (a: number, b: number): number => a + b;\n'), []);
  assert.deepEqual(
    await messages('export const t = (): number => Date.now();\n', 'adapters/system/x.ts'),
    [],
  );
});

test('dependency-cruiser rejects core importing an adapter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-depcruise-'));
  try {
    mkdirSync(join(dir, 'core', 'lb'), { recursive: true });
    mkdirSync(join(dir, 'adapters', 'aws'), { recursive: true });
    writeFileSync(join(dir, 'adapters', 'aws', 'x.ts'), 'export const x = 1;\n');
    writeFileSync(
      join(dir, 'core', 'lb', 'y.ts'),
      "import { x } from '../../adapters/aws/x.ts';\nexport const y = x;\n",
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    );
    const r = spawnSync(
      join(process.cwd(), 'node_modules', '.bin', 'depcruise'),
      ['--config', join(process.cwd(), '.dependency-cruiser.cjs'), 'core', 'adapters'],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /core-is-pure/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
