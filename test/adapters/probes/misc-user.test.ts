// MISC_CHECK `user USER [GROUP]`: keepalived.conf -> checker spec -> probe request -> a real script run
// as that user (names resolved from /etc/passwd and /etc/group). Needs root to switch users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeepalived } from '../../../core/config/index.ts';
import { checkersFromConfig, probeRequest } from '../../../core/health/index.ts';
import { miscProbe } from '../../../adapters/probes/index.ts';
import { resolveRunAs } from '../../../adapters/system/run-as.ts';
import { skipUnless } from '../../helpers/prerequisites.ts';

/** Switching users needs root: without it these tests skip (outside CI). */
const noRoot = await skipUnless(['root']);

/** A world-writable temp dir with a script that writes its uid and gid to `out`. */
function fixture(t: { after: (fn: () => void) => void }): { dir: string; script: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fip-hc-misc-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o777);
  const out = join(dir, 'ids');
  const script = join(dir, 'whoami.sh');
  writeFileSync(script, `#!/bin/sh\necho "$(id -u) $(id -g)" > "$1"\nexit 0\n`);
  chmodSync(script, 0o755);
  return { dir, script, out };
}

/** The MISC_CHECK probe request keepalived.conf text turns into. */
function requestFor(misc: string): Parameters<typeof miscProbe>[0] {
  const r = parseKeepalived(`virtual_server 192.0.2.10 80 {
  real_server 192.0.2.1 80 {
    MISC_CHECK {
${misc}
    }
  }
}
`);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  const vs = r.config.virtualServers[0];
  const rs = vs?.realServers[0];
  assert.ok(vs && rs);
  const tr = checkersFromConfig({ vs, rs });
  assert.deepEqual([tr.errors, tr.notes], [[], []]);
  const spec = tr.specs[0];
  assert.ok(spec);
  const req = probeRequest(spec, 0);
  assert.ok(req.kind === 'misc');
  return req;
}

test('run-as: names resolve from /etc/passwd and /etc/group; unknown names are errors naming them', () => {
  const nobody = resolveRunAs('nobody');
  assert.notEqual(nobody.uid, 0);
  assert.deepEqual(resolveRunAs('nobody', 'root'), { uid: nobody.uid, gid: 0 });
  assert.deepEqual(resolveRunAs('root'), { uid: 0, gid: 0 });
  assert.throws(() => resolveRunAs('fip-no-such-user'), /unknown user "fip-no-such-user".*\/etc\/passwd/);
  assert.throws(() => resolveRunAs('nobody', 'fip-no-such-group'), /unknown group "fip-no-such-group"/);
});

test('MISC_CHECK user nobody: the script from keepalived.conf runs with nobody uid and primary gid', async (t) => {
  if (noRoot) return t.skip(noRoot);
  const f = fixture(t);
  const want = resolveRunAs('nobody');
  const req = requestFor(`misc_path "${f.script} ${f.out}"\nuser nobody`);
  assert.equal(req.user, 'nobody');
  const r = await miscProbe(req);
  assert.equal(r.ok, true, r.detail);
  assert.equal(readFileSync(f.out, 'utf8').trim(), `${want.uid} ${want.gid}`);
});

test('MISC_CHECK user nobody root: the named group overrides the primary group', async (t) => {
  if (noRoot) return t.skip(noRoot);
  const f = fixture(t);
  const req = requestFor(`misc_path "${f.script} ${f.out}"\nuser nobody root`);
  const r = await miscProbe(req);
  assert.equal(r.ok, true, r.detail);
  assert.equal(readFileSync(f.out, 'utf8').trim(), `${resolveRunAs('nobody').uid} 0`);
});

test('MISC_CHECK with an unknown user fails naming the script and the user, and runs nothing', async (t) => {
  const f = fixture(t);
  const req = requestFor(`misc_path "${f.script} ${f.out}"\nuser fip-no-such-user`);
  const r = await miscProbe(req);
  assert.equal(r.ok, false);
  assert.match(
    r.detail,
    /^MISC_CHECK .*whoami\.sh: user fip-no-such-user: .*unknown user "fip-no-such-user"/,
  );
  assert.equal(r.code, undefined);
  assert.equal(existsSync(f.out), false, 'the script ran although its user is unknown');
  const badGroup = await miscProbe({ ...req, user: 'nobody', group: 'fip-no-such-group' });
  assert.equal(badGroup.ok, false);
  assert.match(badGroup.detail, /unknown group "fip-no-such-group"/);
  assert.equal(existsSync(f.out), false);
});
