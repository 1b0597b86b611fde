// @needs redis
/**
 * What `floatip control-plane` prints at start: where the status page and the API are, which configured
 * token opens the page (by name), and the Redis URL without its password.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { redactUrl } from '../../../functions/shared/redact.ts';
import { redisUrl } from '../../e2e/control-plane/fixture.ts';
import { exampleControl, runDemo, runFloatip } from '../../helpers/floatip-process.ts';

test('redactUrl hides a URL password (or a bare Redis token), nothing else', () => {
  assert.equal(redactUrl('redis://default:s3cret@10.0.0.5:6379/0'), 'redis://default:***@10.0.0.5:6379/0');
  assert.equal(redactUrl('rediss://tok3n@cache.example:6380'), 'rediss://***@cache.example:6380');
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactUrl('redis://:p%40ss@h:1'), 'redis://:***@h:1');
});

test('the banner names the status page, the token to sign in with, and never the Redis password', async (t) => {
  // A password in the URL: Redis's default user (nopass) accepts any, so the demo runs with it.
  const secret = `pw-${randomUUID()}`;
  const withPassword = new URL(redisUrl);
  withPassword.username = 'default';
  withPassword.password = secret;
  const lab = await exampleControl('banner', withPassword.toString());
  t.after(lab.remove);
  const r = await runDemo(lab.cfg);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^floatip control plane \(all\) on redis:\/\/127\.0\.0\.1:6379/m);
  assert.ok(!(r.out + r.err).includes(secret), 'the password is printed nowhere');
  assert.match(
    r.out,
    /^ {2}status {3}http:\/\/127\.0\.0\.1:\d+\/ {2}\(sign in with a token of scope read, e\.g\. token 'grafana' of the config\)$/m,
  );
  assert.doesNotMatch(r.out + r.err, /demo-read-token|demo-ops-token/);

  // ... also when Redis cannot be reached.
  const locked = join(lab.dir, 'locked.yaml');
  await writeFile(
    locked,
    lab.example.replace('url: redis://127.0.0.1:6379', `url: redis://default:${secret}@127.0.0.1:1`),
  );
  const down = await runFloatip(['serve', '--config', locked, '--port', '0']);
  assert.equal(down.code, 1);
  assert.ok(!(down.out + down.err).includes(secret), down.out + down.err);
  assert.match(down.err, /Redis at 127\.0\.0\.1:1 did not answer/);
});
