// @needs root iproute2 keepalived
/**
 * `floatip check-config` exits as keepalived 2.2.7 `-t` does on every file of the corpus (and on the
 * conditional sample with each `--config-id` / `-i`), with the same class of message: configuration
 * errors for 5, a script security problem for 6. keepalived checks interfaces against the host, so both
 * run in a network namespace that has every interface the corpus names.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliIo } from '../../../functions/cli/command.ts';
import { main } from '../../../functions/cli/main.ts';

const corpus = join(import.meta.dirname, '..', '..', 'fixtures', 'keepalived-corpus');
const interfaces = ['eth0', 'eth1', 'eth2', 'eth3', 'ens33', 'ens192', 'eth0.1'];
const classOf = (code: number | null) =>
  code === 0 ? 'ok' : code === 5 ? 'config' : code === 6 ? 'security' : `exit ${code}`;

test('check-config and keepalived -t agree on every corpus file: exit code and message class', async (t) => {
  const ns = `fip-kt-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => execFileSync('ip', ['netns', 'delete', ns]));
  const ip = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args]);
  ip('link', 'set', 'lo', 'up');
  for (const name of interfaces) {
    ip('link', 'add', name, 'type', 'veth', 'peer', 'name', `p-${name}`);
    ip('link', 'set', name, 'up');
  }
  const files = [...globSync(join(corpus, '*.conf')), ...globSync(join(corpus, 'seed', '*.conf'))].sort();
  assert.ok(files.length >= 39, `${files.length} corpus files`);
  const cases = files.flatMap((f) =>
    f.endsWith('conditional_conf.conf')
      ? [
          { f, id: undefined },
          { f, id: 'high' },
          { f, id: 'low' },
        ]
      : [{ f, id: undefined }],
  );
  const seen = { ok: 0, config: 0, security: 0 } as Record<string, number>;
  for (const { f, id } of cases) {
    const ka = spawnSync(
      'ip',
      ['netns', 'exec', ns, 'keepalived', '-t', '-f', f, '-l', '-n', '-D', ...(id ? ['-i', id] : [])],
      {
        encoding: 'utf8',
      },
    );
    let err = '';
    const io: CliIo = { out: () => undefined, err: (l) => void (err += `${l}\n`) };
    const code = await main(['check-config', f, ...(id ? ['--config-id', id] : [])], io);
    const what = `${f.slice(corpus.length + 1)}${id ? ` -i ${id}` : ''}`;
    assert.equal(
      classOf(code),
      classOf(ka.status),
      `${what}: floatip ${code}, keepalived -t ${ka.status}\n${ka.stdout}${ka.stderr}\n--- floatip:\n${err}`,
    );
    seen[classOf(code)] = (seen[classOf(code)] ?? 0) + 1;
    const kaText = ka.stdout + ka.stderr;
    if (code === 5) {
      assert.ok(kaText.trim() !== '', `${what}: keepalived said why`);
      assert.match(err, /: error: |keepalived reports as configuration errors/, what);
    }
    if (code === 6) {
      assert.match(kaText, /SECURITY VIOLATION|insecure|script_security/i, what);
      assert.match(err, /script security problem/, what);
    }
  }
  // The corpus exercises every class; the conditional sample with `-i high` is the issue's case (both 0).
  assert.ok(seen.ok! > 0 && seen.config! > 0, JSON.stringify(seen));
});
