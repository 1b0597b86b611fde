// @needs root iproute2 keepalived
/**
 * script_user / `user U [G]` / enable_script_security (keepalived.md §1, §1.4): scripts from a real
 * keepalived.conf run as a real unprivileged user created for this test (each asserts the uid the script
 * itself sees), on every path that runs scripts: notify hooks, vrrp_script, LVS notify_up/quorum_up and
 * MISC_CHECK. check-config exits 6 for script security problems, naming the script's file:line, and the
 * agent's config load refuses a world-writable script under enable_script_security. Needs root.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseKeepalived } from '../../../core/config/index.ts';
import { planVrrp } from '../../../core/app/vrrp-plan.ts';
import { checkersFromConfig, probeRequest } from '../../../core/health/index.ts';
import type { Config } from '../../../core/model/index.ts';
import { miscProbe } from '../../../adapters/probes/index.ts';
import { resolveRunAs, scriptRunAs } from '../../../adapters/system/run-as.ts';
import { checkScript } from '../../../adapters/probes/script-security.ts';
import { Notifier, resolveHooks } from '../../../adapters/system/notifier.ts';
import { startTrackScripts } from '../../../core/app/track-scripts.ts';
import { createTimerService, spawnCommandCheck, systemClock } from '../../../adapters/system/index.ts';
import { lvsEffects } from '../../../core/app/lvs-effects.ts';
import { createScriptQueue } from '../../../adapters/system/script-queue.ts';
import { loadConfigCheckingScripts } from '../../../functions/shared/script-security.ts';
import { main } from '../../../functions/cli/main.ts';
import { createLab } from '../../helpers/netns.ts';
import { silentLogger } from '../../../adapters/memory/logger.ts';

const KEEPALIVED = '/usr/sbin/keepalived';
const USER = `fipsec${process.pid % 100000}`;
const GROUP = `${USER}g`;

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function parse(text: string, file = 'keepalived.conf'): Config {
  const r = parseKeepalived(text, { file });
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config;
}

describe('scripts run as script_user / user U [G]', () => {
  let dir = '';
  let outDir = '';
  let script = '';
  let ids = { uid: -1, gid: -1 };
  let groupGid = -1;
  /** The `id -u id -g` a run wrote to `out/<tag>`, once it exists. */
  const seen = (tag: string) => {
    const f = join(outDir, tag);
    return existsSync(f) && readFileSync(f, 'utf8').endsWith('\n')
      ? readFileSync(f, 'utf8').trim()
      : undefined;
  };

  before(() => {
    if (process.getuid?.() !== 0) assert.fail('these tests switch users and must run as root');
    spawnSync('userdel', [USER]);
    spawnSync('groupdel', [GROUP]);
    execFileSync('groupadd', [GROUP]);
    execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    ids = resolveRunAs(USER);
    groupGid = resolveRunAs(USER, GROUP).gid;
    assert.notEqual(ids.uid, 0);
    dir = mkdtempSync(join(tmpdir(), 'fip-script-user-'));
    chmodSync(dir, 0o755); // the test user must reach the script
    outDir = join(dir, 'out');
    mkdirSync(outDir);
    chmodSync(outDir, 0o777); // the unprivileged scripts write their ids here
    script = join(dir, 'whoami.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho "$(id -u) $(id -g)" > "${outDir}/$1.tmp" && mv "${outDir}/$1.tmp" "${outDir}/$1"\n`,
    );
    chmodSync(script, 0o755);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    spawnSync('userdel', [USER]);
    spawnSync('groupdel', [GROUP]);
  });

  it('notify hooks: own user and group, else script_user; the script sees that uid/gid', async () => {
    const config = parse(`global_defs {
  script_user ${USER}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  notify_master "${script} master" ${USER} ${GROUP}
  notify "${script}"
  virtual_ipaddress { 192.0.2.1 }
}
`);
    const planned = planVrrp(config, () => '192.0.2.9');
    assert.ok(planned.ok);
    const set = planned.plan.hooks['instance:VI_1'];
    assert.ok(set);
    const warnings: string[] = [];
    const hooks = resolveHooks(set, (m) => warnings.push(m));
    assert.deepEqual(warnings, []);
    const notifier = new Notifier({ fifos: [], scriptTimeoutSec: 10, stopTimeoutSec: 1, log: () => {} });
    await notifier.notify({ kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100, hooks });
    await notifier.close();
    assert.equal(await waitFor('notify_master', () => seen('master')), `${ids.uid} ${groupGid}`);
    // the generic notify gets `INSTANCE VI_1 MASTER 100` appended: $1 is "INSTANCE"
    assert.equal(await waitFor('notify', () => seen('INSTANCE')), `${ids.uid} ${ids.gid}`);
  });

  it('a hook whose user no longer exists is left out with a warning, never run as root', () => {
    const warnings: string[] = [];
    const hooks = resolveHooks(
      { notifyMaster: [script, 'x'], runAs: { notifyMaster: { user: 'fip-no-such-user' } } },
      (m) => warnings.push(m),
    );
    assert.deepEqual(hooks, {});
    assert.match(warnings.join('\n'), /will not run: unknown user "fip-no-such-user"/);
  });

  it('vrrp_script with `user U` runs as U', async () => {
    const config = parse(`vrrp_script chk {
  script "${script} track"
  interval 1
  user ${USER}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  track_script { chk }
  virtual_ipaddress { 192.0.2.1 }
}
`);
    const planned = planVrrp(config, () => '192.0.2.9');
    assert.ok(planned.ok);
    assert.deepEqual(planned.plan.scripts['chk']?.runAs, { user: USER });
    const results: boolean[] = [];
    const runner = startTrackScripts(planned.plan.scripts, (r) => results.push(r.up), {
      clock: systemClock,
      timers: createTimerService(systemClock),
      check: spawnCommandCheck(),
    });
    try {
      assert.equal(await waitFor('vrrp_script', () => seen('track')), `${ids.uid} ${ids.gid}`);
      await waitFor('the script result', () => (results.length > 0 ? results : undefined));
      assert.deepEqual(results, [true]);
    } finally {
      runner.stop();
    }
  });

  it('LVS notify_up with its own user and quorum_up with script_user run as that user', async () => {
    const config = parse(`global_defs {
  script_user ${USER} ${GROUP}
}
virtual_server 192.0.2.10 80 {
  quorum_up "${script} quorum"
  real_server 192.0.2.1 80 {
    notify_up "${script} rsup" ${USER}
    TCP_CHECK {
    }
  }
}
`);
    const queue = createScriptQueue(silentLogger);
    const onEffect = lvsEffects(() => config, silentLogger, queue);
    const argv = config.virtualServers[0]?.quorumUp?.argv;
    assert.ok(argv);
    onEffect({ kind: 'run-script', script: 'quorum_up', argv });
    const vs = config.virtualServers[0];
    assert.ok(vs);
    const { rsId, vsKey } = await import('../../../core/app/lvs-desired.ts');
    const rs = vs.realServers[0];
    assert.ok(rs);
    onEffect({ kind: 'notify-rs', rs: rsId(vsKey(vs), rs), up: true });
    await queue.idle();
    assert.equal(await waitFor('quorum_up', () => seen('quorum')), `${ids.uid} ${groupGid}`);
    assert.equal(await waitFor('notify_up', () => seen('rsup')), `${ids.uid} ${ids.gid}`);
  });

  it('MISC_CHECK without its own user runs as script_user', async () => {
    const config = parse(`global_defs {
  script_user ${USER}
}
virtual_server 192.0.2.10 80 {
  real_server 192.0.2.1 80 {
    MISC_CHECK {
      misc_path "${script} misc"
    }
  }
}
`);
    const vs = config.virtualServers[0];
    const rs = vs?.realServers[0];
    assert.ok(vs && rs);
    const tr = checkersFromConfig({
      vs,
      rs,
      ...(config.globalDefs.scriptUser ? { scriptUser: config.globalDefs.scriptUser } : {}),
    });
    const spec = tr.specs[0];
    assert.ok(spec);
    const req = probeRequest(spec, 0);
    assert.ok(req.kind === 'misc');
    const r = await miscProbe(req);
    assert.equal(r.ok, true, r.detail);
    assert.equal(await waitFor('MISC_CHECK', () => seen('misc')), `${ids.uid} ${ids.gid}`);
  });

  it('default user: keepalived_script when it exists, else the agent itself (undefined)', () => {
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    writeFileSync(group, 'root:x:0:\n');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(scriptRunAs(undefined, { passwd, group }), undefined);
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nkeepalived_script:x:990:991::/:/bin/false\n');
    assert.deepEqual(scriptRunAs(undefined, { passwd, group }), { uid: 990, gid: 991 });
    assert.deepEqual(scriptRunAs({ user: 'root' }, { passwd, group }), { uid: 0, gid: 0 });
  });
});

describe('enable_script_security', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fip-script-sec-'));
    for (const [name, mode] of [
      ['safe.sh', 0o755],
      ['open.sh', 0o777],
    ] as const) {
      writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, name), mode);
    }
    mkdirSync(join(dir, 'opendir'));
    chmodSync(join(dir, 'opendir'), 0o777);
    writeFileSync(join(dir, 'opendir', 'inner.sh'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'opendir', 'inner.sh'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checkScript: a root script is insecure when the file or a directory above it is writable by others', () => {
    const root = { uid: 0, gid: 0 };
    assert.deepEqual(checkScript(join(dir, 'safe.sh'), root), {
      ok: true,
      path: join(dir, 'safe.sh'),
      protected: true,
    });
    const open = checkScript(join(dir, 'open.sh'), root);
    assert.ok(!open.ok && open.reason === 'insecure');
    assert.match(open.message, /open\.sh is writable by everyone \(mode 0777\)/);
    const inner = checkScript(join(dir, 'opendir', 'inner.sh'), root);
    assert.ok(!inner.ok && inner.reason === 'insecure');
    assert.match(inner.message, /opendir is writable by everyone/);
    // run by an unprivileged user, nothing needs protecting
    const nobody = resolveRunAs('nobody');
    assert.deepEqual(checkScript(join(dir, 'open.sh'), nobody), {
      ok: true,
      path: join(dir, 'open.sh'),
      protected: false,
    });
    // a bare name is found through PATH (/usr/bin and friends are root's)
    const sh = checkScript('sh', root);
    assert.ok(sh.ok && sh.protected, JSON.stringify(sh));
  });

  const conf = (globals: string, scriptName: string) => `global_defs {
${globals}
}
vrrp_script chk {
  script "${join(dir, scriptName)}"
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 5
  notify_master "${join(dir, scriptName)} a"
  virtual_ipaddress { 10.9.9.9 }
  track_script { chk }
}
`;
  const capture = () => {
    const io = {
      out: '',
      err: '',
      o: { out: (t: string) => void (io.out += `${t}\n`), err: (t: string) => void (io.err += `${t}\n`) },
    };
    return io;
  };

  it('check-config: a world-writable root script under enable_script_security -> exit 6 naming file:line', async () => {
    const file = join(dir, 'ww.conf');
    writeFileSync(file, conf('  enable_script_security\n  script_user root', 'open.sh'));
    const io = capture();
    assert.equal(await main(['check-config', file], io.o), 6);
    assert.match(
      io.err,
      /ww\.conf:6:\d+: error: vrrp_script chk script '.*open\.sh' runs as uid 0 but can be replaced by non-root users: .*writable by everyone \(mode 0777\); refused/,
    );
    assert.match(io.err, /ww\.conf:11:\d+: error: vrrp_instance VI_1 notify_master/);
    // the agent's config load refuses it the same way
    await assert.rejects(
      () => loadConfigCheckingScripts(file),
      /ww\.conf:6:\d+: error: .*refused \(enable_script_security\)/,
    );
  });

  it('check-config: safe scripts with enable_script_security -> exit 0; scripts without it -> exit 6 (as keepalived -t)', async () => {
    const ok = join(dir, 'ok.conf');
    writeFileSync(ok, conf('  enable_script_security\n  script_user root', 'safe.sh'));
    let io = capture();
    assert.equal(await main(['check-config', ok], io.o), 0, io.err);
    assert.deepEqual((await loadConfigCheckingScripts(ok)).warnings, []);
    const off = join(dir, 'off.conf');
    writeFileSync(off, conf('  script_user root', 'safe.sh'));
    io = capture();
    assert.equal(await main(['check-config', off], io.o), 6);
    assert.match(
      io.err,
      /off\.conf:5:\d+: warning: scripts are configured but enable_script_security is not set/,
    );
    // the agent still starts (keepalived runs the scripts too), logging the warning
    assert.match(
      (await loadConfigCheckingScripts(off)).warnings.join('\n'),
      /enable_script_security is not set/,
    );
  });

  it('enable_script_security without script_user needs a keepalived_script user', async () => {
    if (resolveRunAsSafe('keepalived_script')) return; // the host has one: nothing to refuse
    const file = join(dir, 'nouser.conf');
    writeFileSync(file, conf('  enable_script_security', 'safe.sh'));
    const io = capture();
    assert.equal(await main(['check-config', file], io.o), 6);
    assert.match(
      io.err,
      /nouser\.conf:5:\d+: error: .*enable_script_security needs script_user or a 'keepalived_script' user/,
    );
  });
});

describe('the same files through keepalived 2.2.7 -t', () => {
  it('gives the same exit codes: 6 for scripts without enable_script_security, 0 for safe ones with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fip-script-sec-ka-'));
    const lab = createLab({ directors: 1, client: false });
    try {
      writeFileSync(join(dir, 'safe.sh'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, 'safe.sh'), 0o755);
      const body = (globals: string) => `global_defs {
${globals}
}
vrrp_script chk {
  script "${join(dir, 'safe.sh')}"
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 5
  notify_master "${join(dir, 'safe.sh')} a"
  virtual_ipaddress { 10.9.9.9 }
  track_script { chk }
}
`;
      for (const [name, globals, want] of [
        ['off.conf', '  script_user root', 6],
        ['on.conf', '  enable_script_security\n  script_user root', 0],
      ] as const) {
        const file = join(dir, name);
        writeFileSync(file, body(globals));
        const ka = spawnSync(
          'ip',
          ['netns', 'exec', lab.directors[0]!.ns, KEEPALIVED, '-t', '-f', file, '-l', '-n', '-D'],
          {
            encoding: 'utf8',
          },
        );
        assert.equal(ka.status, want, `keepalived -t ${name}: ${ka.stdout}${ka.stderr}`);
        const io = { out: () => {}, err: () => {} };
        assert.equal(await main(['check-config', file], io), want, `floatip check-config ${name}`);
      }
    } finally {
      lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function resolveRunAsSafe(user: string): boolean {
  try {
    resolveRunAs(user);
    return true;
  } catch {
    return false;
  }
}
