// Lint rules for floatip. The block for core/ is the machine check of the dependency rule in
// docs/architecture.md: core is pure, so it may not reach the platform for I/O, time or randomness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

/**
 * zod's `z` taken as a named binding is its whole namespace to esbuild, every locale included (441 KB of
 * the Lambda artifact's 2.25 MB loaded at cold start); `import * as z` lets the bundle keep only the
 * schemas used (bench:functions-instructions: 1,024 M -> 947 M instructions to the first 202).
 */
const zodNamespace = {
  selector: "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier, ImportDefaultSpecifier)",
  message: "import * as z from 'zod': a named `z` bundles all of zod, every locale included.",
};

/** Restrictions that make core/ pure; exported so the architecture test can lint snippets with them. */
export const coreRestrictions = {
  'no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({
        name,
        message: 'core/ is pure: I/O comes in through core/ports.',
      })),
      patterns: [
        { group: ['node:*'], message: 'core/ is pure: no node:* modules.' },
        {
          group: ['**/adapters/**', '**/functions/**', '**/infra/**', '**/test/**'],
          message: 'core/ may import only core/ (see docs/architecture.md).',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...[
      'setTimeout',
      'setInterval',
      'setImmediate',
      'clearTimeout',
      'clearInterval',
      'clearImmediate',
      'queueMicrotask',
      'performance',
      'process',
      'Buffer',
      'require',
      'fetch',
      'crypto',
    ].map((name) => ({
      name,
      message: `core/ is pure: ${name} must come in through a port (Clock, Random, PacketIo, ...).`,
    })),
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'core/ is pure: time comes from the Clock port.' },
    { object: 'Math', property: 'random', message: 'core/ is pure: randomness comes from the Random port.' },
    { object: 'globalThis', message: 'core/ is pure: no reaching into globalThis.' },
  ],
  'no-restricted-syntax': [
    'error',
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'core/ is pure: no wall-clock reads.',
    },
    { selector: "CallExpression[callee.name='Date']", message: 'core/ is pure: no wall-clock reads.' },
    { selector: 'ImportExpression', message: 'core/ is pure: no dynamic import.' },
    zodNamespace,
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'test/fixtures/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'no-restricted-syntax': ['error', zodNamespace],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  { files: ['core/**/*.ts'], rules: coreRestrictions },
);
