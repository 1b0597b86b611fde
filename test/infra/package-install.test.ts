/**
 * The on-prem package as operators install it: `npm run pack` (scripts/build-package.ts) makes the
 * tarball, `npm install -g` puts it in a temporary prefix (offline: it has no registry dependencies),
 * `floatip` is on that prefix's PATH, its native addon was compiled at install time and answers, and
 * the systemd units of infra/onprem pass `systemd-analyze verify` pointed at the installed binary; the
 * serve and worker units' ExecStart lines run that binary against a real Redis.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { dropPrefix, redisUrl } from '../e2e/control-plane/fixture.ts';
import { cleanDir } from './artifacts.ts';

const root = join(import.meta.dirname, '..', '..');
const units = ['floatip-agent.service', 'floatip-serve.service', 'floatip-worker.service'];
/** The installed launcher runs on the `node` of PATH: this Node (>= 22.18) first, as an operator's would be. */
const withNode = (extra: string): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${dirname(process.execPath)}:${extra}:${process.env.PATH ?? ''}`,
});
const hasSystemdAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

/** Runs a unit's ExecStart (with its config path replaced) until it prints `ready`; returns its output. */
async function runExecStart(
  t: TestContext,
  execStart: string,
  config: string,
  ready: RegExp,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const [bin = '', ...args] = execStart.replace('/etc/floatip/floatip.control.yaml', config).split(/\s+/);
  const child = spawn(bin, [...args, ...(args[0] === 'serve' ? ['--port', '0'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  for (let i = 0; i < 400 && !ready.test(out); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(out, ready, out);
  return out;
}

test('npm pack → npm install -g: floatip on PATH with its native addon; systemd units verify and run it', async (t) => {
  const tgz =
    execFileSync(process.execPath, [join(root, 'scripts/build-package.ts')], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() ?? '';
  assert.ok(existsSync(tgz), tgz);
  const prefix = cleanDir(t, 'prefix');
  execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tgz], {
    encoding: 'utf8',
    stdio: 'pipe',
  });
  const bin = join(prefix, 'bin', 'floatip');
  const which = execFileSync('sh', ['-c', 'command -v floatip'], {
    encoding: 'utf8',
    env: withNode(join(prefix, 'bin')),
  }).trim();
  assert.equal(which, bin);
  const installed = join(prefix, 'lib', 'node_modules', 'floatip');
  assert.ok(!existsSync(join(installed, 'functions')), 'no TypeScript source in the package');
  const addon = execFileSync(
    process.execPath,
    [
      '-e',
      `const a = require(${JSON.stringify(join(installed, 'node_modules/@floatip/onprem-native'))}); console.log(a.ifNameToIndex('lo'))`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(addon.trim(), '1', 'the addon built at install time answers (lo is interface 1)');
  const env = withNode(join(prefix, 'bin'));
  const check = spawnSync(bin, ['check-config', join(installed, 'examples/keepalived.conf')], {
    encoding: 'utf8',
    env,
  });
  assert.equal(check.status, 0, check.stdout + check.stderr);

  if (!hasSystemdAnalyze) {
    if (process.env.CI === 'true') assert.fail('systemd-analyze (Debian package systemd) is missing');
    t.diagnostic('skipped the unit checks: needs systemd-analyze (Debian package systemd)');
    return;
  }
  const dir = cleanDir(t, 'units');
  for (const u of units) {
    const text = readFileSync(join(installed, 'infra/onprem', u), 'utf8').replaceAll('/usr/bin/floatip', bin);
    writeFileSync(join(dir, u), text);
  }
  const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map((u) => join(dir, u))], {
    encoding: 'utf8',
  });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.equal(verify.stderr.trim(), '', verify.stderr);
  if (!existsSync('/usr/bin/floatip')) {
    // verify does check ExecStart: the unmodified units name a binary this machine does not have.
    const bare = spawnSync(
      'systemd-analyze',
      ['verify', '--man=no', join(root, 'infra/onprem/floatip-serve.service')],
      { encoding: 'utf8' },
    );
    assert.notEqual(bare.status, 0, 'verify accepted a missing ExecStart binary');
  }

  const prefixKey = `t-pkg-${randomUUID().slice(0, 8)}`;
  t.after(() => dropPrefix(redisUrl, prefixKey));
  const config = join(dir, 'floatip.control.yaml');
  writeFileSync(
    config,
    readFileSync(join(installed, 'examples/floatip.control.yaml'), 'utf8')
      .replace('url: redis://127.0.0.1:6379', `url: ${redisUrl}`)
      .replace(/prefix: \S+/, `prefix: ${prefixKey}`),
  );
  for (const [unit, ready] of [
    ['floatip-serve.service', /API\s+http:\/\//],
    ['floatip-worker.service', /control plane \(worker\)/],
  ] as const) {
    const execStart = /^ExecStart=(.*)$/m.exec(readFileSync(join(dir, unit), 'utf8'))?.[1] ?? '';
    assert.ok(execStart.startsWith(bin), execStart);
    await runExecStart(t, execStart, config, ready, env);
  }
});
