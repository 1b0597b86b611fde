#!/usr/bin/env node
// floatip's launcher. The code is TypeScript run by Node's type stripping (Node >= 22.18). On an older
// Node (the machines here ship 20), it re-runs itself under the Node 24 the project installs from the
// npm registry (the `node` devDependency), so `./bin/floatip.mjs` works wherever `npm ci` has run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 18);

if (!supported) {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(
      `floatip needs Node.js >= 22.18 (this is ${process.version}); run \`npm ci\` in ${root} to get Node 24.`,
    );
    process.exit(2);
  }
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const { main } = await import(join(root, 'functions', 'cli', 'main.ts'));
process.exitCode = await main(process.argv.slice(2));
