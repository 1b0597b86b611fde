#!/usr/bin/env node
// floatip's launcher. The code is TypeScript run by Node's type stripping (Node >= 22.18). On an older
// Node (the machines here ship 20), it re-runs itself under the Node 24 the project installs from the
// npm registry (the `node` devDependency), so `./bin/floatip.mjs` works wherever `npm ci` has run.
//
// `floatip agent` runs with a bounded heap, the settings bench/health.bench.ts takes its figures with:
// young generation 8 MB per semi-space, a bounded old generation (128 MB), two malloc arenas (without them V8 lets the
// heap grow lazily to 200-300 MB at 10,000 checks/s). FLOATIP_AGENT_NODE_FLAGS replaces the Node flags
// (empty: none); a MALLOC_ARENA_MAX already in the environment is kept. The launcher replaces itself with
// the flagged Node (process.execve: same pid, signals reach the agent directly); where execve is missing
// it runs a child and forwards SIGTERM, SIGINT and SIGHUP to it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 18);
const args = process.argv.slice(2);

// 64 MB of old space (the bench's figure for the health engine alone) is too little for the whole agent:
// it ran out of heap while loading at start. 128 MB leaves room for the modules and 10,000 checkers.
const AGENT_NODE_FLAGS = '--max-semi-space-size=8 --max-old-space-size=128';
const APPLIED = 'FLOATIP_AGENT_FLAGS_APPLIED';

/** The Node flags and environment to re-run with, or null to run here. */
function rerun() {
  const agent = args[0] === 'agent' && process.env[APPLIED] !== '1';
  if (supported && !agent) return null;
  if (!agent) return { flags: [], env: process.env };
  const flags = (process.env.FLOATIP_AGENT_NODE_FLAGS ?? AGENT_NODE_FLAGS).split(/\s+/).filter(Boolean);
  return {
    flags,
    env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', [APPLIED]: '1' },
  };
}

const again = rerun();
if (again) {
  const node = supported ? process.execPath : join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(node)) {
    console.error(
      `floatip needs Node.js >= 22.18 (this is ${process.version}); run \`npm ci\` in ${root} to get Node 24.`,
    );
    process.exit(2);
  }
  const argv = [...again.flags, self, ...args];
  if (typeof process.execve === 'function') process.execve(node, [node, ...argv], again.env);
  const child = spawn(node, argv, { stdio: 'inherit', env: again.env });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  // An installed package (npm run pack) carries the CLI bundled as JavaScript instead of its TypeScript.
  const source = join(root, 'functions', 'cli', 'main.ts');
  const { main } = await import(existsSync(source) ? source : join(root, 'dist', 'cli', 'main.mjs'));
  process.exitCode = await main(args);
}
