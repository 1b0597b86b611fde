#!/usr/bin/env node
// The set-up `npm start` and `npm test` do for themselves on a fresh machine (plain JS: it may run on the
// machine's older Node before the project's Node 24 is installed).
//  1. dependencies: `npm ci` when node_modules is missing or older than package-lock.json;
//  2. Redis on 127.0.0.1:6379 (tests and the control plane need one): started when none answers and
//     redis-server is installed; otherwise a clear message (tests that need it then fail and say why).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const quiet = process.argv.includes('--quiet');
const log = (m) => quiet || console.error(`setup: ${m}`);

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  log('installing dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
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
      'no Redis answers on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server)',
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
