/**
 * The `redis:` section and connectRedis: TLS (`rediss://` with a CA file) and a password from the
 * environment against a real redis-server on private ports; bad settings refused with the field named
 * before anything connects; locations printed without credentials. Sentinel and Cluster are proven in
 * test/e2e/redis-ha.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { connectRedis, describeRedis, readyWithin, RedisConfigError } from '../../../adapters/redis/index.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';
import { freePort, lifo, missingRedisTools, scratch, startProc } from '../../e2e/redis-ha/servers.ts';

const groups = [
  { id: 'g', members: { a: {} }, resources: [{ id: 'r', provider: 'memory', kind: 'address' }] },
];
const problems = (redis: unknown): string[] => {
  const r = parseControlPlaneConfig({ redis, groups });
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

test('redis config: one location only, Sentinel needs its master name, replicas not with cluster', () => {
  assert.deepEqual(problems({ sentinels: [{ host: 'h', port: 26379 }], name: 'm', passwordEnv: 'PW' }), []);
  assert.deepEqual(problems({ cluster: [{ host: 'h', port: 7000 }], tls: { caFile: '/ca.pem' } }), []);
  const ok = parseControlPlaneConfig({ groups });
  assert.equal(ok.ok && ok.config.redis.url, 'redis://127.0.0.1:6379', 'the default stays a local URL');
  assert.match(
    problems({ url: 'redis://h', cluster: [{ host: 'h', port: 1 }] }).join(),
    /needs at most one of url, cluster/,
  );
  assert.match(
    problems({ sentinels: [{ host: 'h', port: 1 }] }).join(),
    /redis\.name: the Sentinel master name is required/,
  );
  assert.match(
    problems({ cluster: [{ host: 'h', port: 1 }], replicas: 1 }).join(),
    /redis\.replicas: not with cluster/,
  );
  assert.match(problems({ passwordEnv: 'lower-case' }).join(), /redis\.passwordEnv: must match/);
  assert.match(
    problems({ cluster: [{ host: 'h', port: 70000 }] }).join(),
    /redis\.cluster\[0\]\.port: must be an integer/,
  );
});

test('connectRedis: a missing password variable or CA file is refused by field; locations print without secrets', () => {
  assert.throws(
    () =>
      connectRedis(
        { url: 'redis://127.0.0.1:1', passwordEnv: 'FIP_NOT_SET', prefix: 'p' },
        'api',
        undefined,
        undefined,
        {},
      ),
    (e: unknown) =>
      e instanceof RedisConfigError &&
      /controlPlane\.redis\.passwordEnv: environment variable FIP_NOT_SET is not set/.test(e.message),
  );
  assert.throws(
    () =>
      connectRedis(
        { url: 'rediss://127.0.0.1:1', tls: { caFile: '/nonexistent/ca.pem' }, prefix: 'p' },
        'api',
      ),
    /controlPlane\.redis\.tls\.caFile: cannot read \/nonexistent\/ca\.pem/,
  );
  assert.equal(
    describeRedis({ url: 'rediss://user:hunter2@cache.example:6380/0', prefix: 'p' }),
    'rediss://cache.example:6380/0',
  );
  assert.match(
    describeRedis({ sentinels: [{ host: 'a', port: 1 }], name: 'm', prefix: 'p' }),
    /Sentinel 'm' via a:1/,
  );
});

const missing = missingRedisTools();

test(
  'connectRedis over TLS with a password from the environment, against redis-server',
  { skip: missing && process.env.CI !== 'true' ? `needs ${missing}` : false },
  async (t) => {
    const defer = lifo(t);
    const dir = scratch(defer, 'redis-tls');
    const cert = loopbackCertificate();
    for (const [f, v] of [
      ['cert.pem', cert.cert],
      ['key.pem', cert.key],
    ] as const)
      writeFileSync(join(dir, f), v);
    const [plain, tls] = [await freePort(), await freePort()];
    await startProc(
      defer,
      'redis-server',
      [
        '--port',
        String(plain),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--tls-port',
        String(tls),
        '--tls-cert-file',
        join(dir, 'cert.pem'),
        '--tls-key-file',
        join(dir, 'key.pem'),
        '--tls-ca-cert-file',
        join(dir, 'cert.pem'),
        '--tls-auth-clients',
        'no',
        '--requirepass',
        's3cret-pw',
      ],
      plain,
      's3cret-pw',
    );
    const env = { FIP_REDIS_PW: 's3cret-pw', FIP_BAD_PW: 'wrong' };
    const good = connectRedis(
      {
        url: `rediss://127.0.0.1:${tls}`,
        passwordEnv: 'FIP_REDIS_PW',
        tls: { caFile: join(dir, 'cert.pem') },
        prefix: 'p',
      },
      'api',
      () => undefined,
      'fip-tls-test',
      env,
    );
    defer(() => good.disconnect());
    assert.equal(await readyWithin(good, 10_000), true, 'TLS + password connects');
    assert.equal(await good.ping(), 'PONG');
    const wrongPw = connectRedis(
      {
        url: `rediss://127.0.0.1:${tls}`,
        passwordEnv: 'FIP_BAD_PW',
        tls: { caFile: join(dir, 'cert.pem') },
        prefix: 'p',
      },
      'api',
      () => undefined,
      'x',
      env,
    );
    defer(() => wrongPw.disconnect());
    assert.equal(await readyWithin(wrongPw, 1500), false, 'a wrong password never gets ready');
    const noCa = connectRedis(`rediss://127.0.0.1:${tls}`, 'api', () => undefined);
    defer(() => noCa.disconnect());
    assert.equal(await readyWithin(noCa, 1500), false, 'an untrusted certificate never gets ready');
  },
);
