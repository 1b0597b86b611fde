#!/usr/bin/env node
// floatip's launcher. The code is TypeScript run by Node's type stripping (Node >= 22.18). On an older
// Node (the machines here ship 20), it re-runs itself under the Node 24 the project installs from the
// npm registry (the `node` devDependency), so `./bin/floatip.mjs` works wherever `npm ci` has run.
//
// `floatip agent` runs with a bounded heap, the settings bench:checker takes its figures with: young
// generation 1 MB per semi-space, a bounded old generation (128 MB), two malloc arenas.
// FLOATIP_AGENT_NODE_FLAGS replaces the Node flags (empty: none); a MALLOC_ARENA_MAX already in the
// environment is kept. The launcher *replaces* itself with the flagged Node (execve: same pid, one
// process, signals reach the agent directly): process.execve where Node has it (>= 22.15), else the
// native addon's execve (Node 20); only where neither works does it run a child and forward SIGTERM,
// SIGINT and SIGHUP to it.
//
// Node's module compile cache is on (NODE_COMPILE_CACHE, default in the OS temp directory): besides a
// faster start, a cached module is not type-stripped again, so the type stripper (~17 MB resident)
// is never loaded after the first run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 18);
const args = process.argv.slice(2);

// 64 MB of old space (the bench's figure for the health engine alone) is too little for the whole agent:
// it ran out of heap while loading at start. 128 MB leaves room for the modules and 10,000 checkers.
// Semi-spaces of 1 MB (default 16+) keep the young generation at 2 MB: what dies young (probe results,
// promises) is scavenged more often but the agent stays small (bench:checker measures both).
const AGENT_NODE_FLAGS = '--max-semi-space-size=1 --max-old-space-size=128';
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

/** execve through the native addon (built by `npm ci`); returns only when it cannot. */
function nativeExecve(path, argv, env) {
  try {
    const addon = nodeModule.createRequire(import.meta.url)(join(root, 'adapters', 'onprem', 'native'));
    const envList = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
    addon.execve(path, argv, envList);
  } catch {
    // no addon or execve refused: fall back to a child process
  }
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
  nativeExecve(node, [node, ...argv], again.env);
  const child = spawn(node, argv, { stdio: 'inherit', env: again.env });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  // Node >= 22.1; Node 20 never gets here (it re-runs under Node 24 above).
  nodeModule.enableCompileCache?.();
  // An installed package (npm run pack) carries the CLI bundled as JavaScript instead of its TypeScript.
  const source = join(root, 'functions', 'cli', 'main.ts');
  const { main } = await import(existsSync(source) ? source : join(root, 'dist', 'cli', 'main.mjs'));
  process.exitCode = await main(args);
}
