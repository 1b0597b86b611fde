import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeMissing, howToEnable, missingNeeds, onPath, parseNeeds } from './prerequisites.ts';

const root = join(import.meta.dirname, '..', '..');
const cases = [
  'test/fixtures/prerequisites/needs-keepalived.case.ts',
  'test/fixtures/prerequisites/mixed.case.ts',
];

/** The suite runner on the fixture files, with the environment changed by `env`. */
function runner(env: Record<string, string | undefined>) {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.CI;
  delete e.NODE_TEST_CONTEXT;
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete e[k];
    else e[k] = v;
  return spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.ts'), ...cases], {
    cwd: root,
    env: e,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

test('a file declares its needs on a `// @needs` line; unknown words are reported, not ignored', () => {
  assert.deepEqual(parseNeeds('// @needs root iproute2 keepalived\nimport x;'), {
    needs: ['root', 'iproute2', 'keepalived'],
    unknown: [],
  });
  assert.deepEqual(parseNeeds('/** doc */\n// @needs redis keepalivd\n'), {
    needs: ['redis'],
    unknown: ['keepalivd'],
  });
  assert.deepEqual(parseNeeds('const s = "// @needs root";\n  // @needs root\n'), { needs: [], unknown: [] });
});

test('a missing prerequisite is named with its Debian package, and how to get it', async () => {
  process.env.FLOATIP_TEST_PRETEND_MISSING = 'keepalived,root,redis';
  try {
    assert.deepEqual(await missingNeeds(['root', 'keepalived', 'redis']), ['root', 'keepalived', 'redis']);
  } finally {
    delete process.env.FLOATIP_TEST_PRETEND_MISSING;
  }
  assert.equal(
    describeMissing(['root', 'keepalived', 'nftables']),
    'needs root and the Debian packages keepalived, nftables',
  );
  assert.match(
    describeMissing(['redis']),
    /^needs a Redis at redis:\/\/\S+ \(Debian package redis-server\)$/,
  );
  assert.deepEqual(howToEnable(['root', 'nftables', 'keepalived']), [
    'sudo apt-get install keepalived nftables',
    'run the suite as root: sudo npm test',
  ]);
  assert.equal(onPath('sh'), true);
  assert.equal(onPath('sh', '/nonexistent-dir'), false);
});

test('the runner skips a file whose needs are missing with one line, lists it at the end, and passes', () => {
  const r = runner({ FLOATIP_TEST_PRETEND_MISSING: 'keepalived,redis' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /^﹣ test\/fixtures\/prerequisites\/needs-keepalived\.case\.ts # SKIP needs (root and )?the Debian package keepalived$/m,
  );
  assert.match(r.stdout, /﹣ needs redis .*# needs a Redis at /);
  assert.match(
    r.stdout,
    /Skipped because this machine lacks a prerequisite:\n {2}1 file\(s\) — needs .*keepalived/,
  );
  assert.match(r.stdout, /To run them:\n {2}sudo apt-get install keepalived redis-server\n/);
  assert.match(r.stdout, /^tests: 1 passed, 0 failed, 2 skipped$/m);
});

test('with CI=true a missing prerequisite fails the run instead of skipping', () => {
  const r = runner({ FLOATIP_TEST_PRETEND_MISSING: 'keepalived,redis', CI: 'true' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /✖ test\/fixtures\/prerequisites\/needs-keepalived\.case\.ts: CI=true and a prerequisite is missing: needs .*keepalived/,
  );
  assert.doesNotMatch(r.stdout, /# SKIP needs/);
  assert.match(r.stdout, /CI=true and a prerequisite is missing: needs a Redis/);
});

test('an unknown word on a @needs line stops the runner before any test runs', () => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'run-tests.ts'), 'test/fixtures/prerequisites/typo.case.ts'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 64);
  assert.match(r.stderr, /typo\.case\.ts: @needs names keepalivd; known needs: root, redis, iproute2/);
});
