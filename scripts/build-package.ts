/**
 * `npm run pack`: the on-prem package as operators install it (`npm install -g floatip-<v>.tgz`). The
 * CLI is bundled with esbuild into dist/package/dist/cli (Node does not strip types under node_modules,
 * and a bundle needs no runtime dependencies); the native addon travels as a bundled dependency in
 * source form and is compiled by node-gyp at install time; the systemd units and examples ride along.
 * `npm pack` of dist/package then writes dist/floatip-<version>.tgz.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { banner, repoRoot } from './functions/build.ts';
import { computeSubset } from './functions/plugins.ts';

const out = join(repoRoot, 'dist', 'package');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;

rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: repoRoot,
  entryPoints: [{ in: 'functions/cli/main.ts', out: 'main' }],
  outdir: join(out, 'dist', 'cli'),
  bundle: true,
  splitting: true, // each command's runtime stays its own chunk, loaded when that command runs
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@floatip/onprem-native'],
  plugins: [computeSubset()],
  banner: { js: banner },
  legalComments: 'external',
  // No comments and no indentation: V8 keeps each loaded chunk's source on the heap (for lazy
  // compilation), and a chunk with one non-Latin-1 character in a comment is held as UTF-16. Names are
  // kept, so stack traces still name their functions (a VRRP-only agent: about 1 MB less resident,
  // `npm run bench:checker-rss -- 0`).
  minifyWhitespace: true,
  logLevel: 'error',
});
// adapters/redis/scripts.ts reads lua/ beside the chunk that holds it.
cpSync(join(repoRoot, 'adapters/redis/lua'), join(out, 'dist/cli/chunks/lua'), { recursive: true });
cpSync(join(repoRoot, 'adapters/redis/lua'), join(out, 'dist/cli/lua'), { recursive: true });
cpSync(join(repoRoot, 'bin'), join(out, 'bin'), { recursive: true });
cpSync(join(repoRoot, 'infra/onprem'), join(out, 'infra/onprem'), { recursive: true });
cpSync(join(repoRoot, 'examples'), join(out, 'examples'), { recursive: true });
cpSync(join(repoRoot, 'README.md'), join(out, 'README.md'));
const native = join(out, 'node_modules/@floatip/onprem-native');
mkdirSync(native, { recursive: true });
for (const f of ['package.json', 'binding.gyp', 'src'])
  cpSync(join(repoRoot, 'adapters/onprem/native', f), join(native, f), { recursive: true });
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      type: 'module',
      engines: pkg.engines,
      os: ['linux'],
      bin: { floatip: './bin/floatip.mjs' },
      dependencies: { '@floatip/onprem-native': '0.1.0' },
      bundleDependencies: ['@floatip/onprem-native'],
    },
    null,
    2,
  )}\n`,
);
const tgz = execFileSync('npm', ['pack', '--pack-destination', join(repoRoot, 'dist'), out], {
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
process.stdout.write(`${join(repoRoot, 'dist', tgz ?? '')}\n`);
