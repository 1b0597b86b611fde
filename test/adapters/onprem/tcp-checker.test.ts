/**
 * TCP_CHECK through the addon's batched connector (adapters/onprem/tcp-checker.ts): connected, refused,
 * timed out, and — the reason it exists — a connect the kernel completed while the process was blocked is
 * reported connected even though its deadline passed during the block (the epoll set is drained before
 * deadlines are enforced; with the order swapped in tcp-check.c's service() that test fails).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { openTcpChecker } from '../../../adapters/onprem/tcp-checker.ts';

async function listener(t: { after: (fn: () => void) => void }): Promise<number> {
  const server: Server = createServer((c) => c.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return (server.address() as { port: number }).port;
}

/** Blocks this thread (no event-loop turn) for `ms`, as a CPU-starved checker is blocked. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

it('reports connected and refused, and counts what is in flight', async (t) => {
  const port = await listener(t);
  const checker = openTcpChecker();
  t.after(() => checker.close());
  const ok = checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 });
  assert.ok(checker.pending <= 1);
  const r = await ok;
  assert.equal(r.ok, true, r.detail);
  // Port 1 on loopback: nothing listens there.
  const refused = await checker.check({ kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 2000 });
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /127\.0\.0\.1:1: ECONNREFUSED/);
  assert.equal(checker.pending, 0);
});

it('applies bindto through the socket opener', async (t) => {
  const port = await listener(t);
  const asked: string[] = [];
  const { openProbeSocket } = await import('../../../adapters/onprem/probe-socket.ts');
  const checker = openTcpChecker((req) => {
    asked.push(req.bindTo ?? '');
    return openProbeSocket(req);
  });
  t.after(() => checker.close());
  const r = await checker.check({
    kind: 'tcp',
    host: '127.0.0.1',
    port,
    timeoutMs: 2000,
    bindTo: '127.0.0.2',
  });
  assert.equal(r.ok, true, r.detail);
  assert.deepEqual(asked, ['127.0.0.2']);
  const bad = await checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000, bindTo: '::1' });
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /EAFNOSUPPORT/);
});

it('a connect completed while the process was blocked past its deadline counts as connected', async (t) => {
  const port = await listener(t);
  const checker = openTcpChecker();
  t.after(() => checker.close());
  const checks = Array.from({ length: 50 }, () =>
    checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 20 }),
  );
  block(300);
  const results = await Promise.all(checks);
  assert.deepEqual(
    results.filter((r) => !r.ok).map((r) => r.detail),
    [],
  );
});

it('times out a connect nobody answers, measured from its connect()', async (t) => {
  // A listener that never accepts, with a backlog of 0: once its accept queue is full the kernel drops
  // further SYNs, so the next connect is never answered (python3 is a build prerequisite of the addon).
  const py = spawn(
    'python3',
    [
      '-c',
      'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  t.after(() => py.kill('SIGKILL'));
  const port = Number(
    await new Promise<string>((r) => createInterface({ input: py.stdout }).once('line', r)),
  );
  const checker = openTcpChecker();
  t.after(() => checker.close());
  // Fill the accept queue (backlog 0 holds one, the kernel allows one more), then one that hangs.
  const fill = await Promise.all(
    [0, 1, 2].map(() => checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 300 })),
  );
  assert.ok(
    fill.some((r) => r.ok),
    'the first connects complete',
  );
  const hung = await checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 300 });
  assert.equal(hung.ok, false);
  assert.match(hung.detail, /timeout after 300 ms/);
  assert.ok(hung.durationMs >= 290, `timed out after ${hung.durationMs} ms`);
});

/** Waits (event-loop turns, no timing assertion) until `cond` holds; fails after `ms`. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('repeat: successes re-arm in C without a callback; the first failure is reported and ends the chain', async (t) => {
  let accepted = 0;
  const server: Server = createServer((c) => {
    accepted += 1;
    c.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const checker = openTcpChecker();
  t.after(() => checker.close());
  const reported: string[] = [];
  const cancel = checker.repeat({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 }, 10, (r) =>
    reported.push(r.detail),
  );
  assert.notEqual(cancel, null);
  await until(() => checker.quiet >= 5 && accepted >= 5, 'five quiet successes');
  assert.deepEqual(reported, []);
  // The server goes away: the next connect is refused, reported once, and the chain ends.
  await new Promise<void>((r) => server.close(() => r()));
  await until(() => reported.length > 0, 'the failure');
  assert.equal(reported.length, 1);
  assert.match(reported[0] ?? '', /ECONNREFUSED/);
  const quiet = checker.quiet;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(checker.quiet, quiet);
  assert.equal(reported.length, 1);
});

it('repeat: cancel ends the chain (no more connects, no callback); bind options fall back to start', async (t) => {
  let accepted = 0;
  const server: Server = createServer((c) => {
    accepted += 1;
    c.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const checker = openTcpChecker();
  t.after(() => checker.close());
  const reported: unknown[] = [];
  const cancel = checker.repeat({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 }, 5, (r) =>
    reported.push(r),
  );
  await until(() => accepted >= 3, 'three connects');
  cancel?.();
  const quiet = checker.quiet;
  await new Promise((r) => setTimeout(r, 60));
  // At most the connect that was in flight when cancelled completes (closed without a result).
  assert.ok(checker.quiet === quiet, `quiet went on: ${quiet} -> ${checker.quiet}`);
  assert.deepEqual(reported, []);
  assert.equal(checker.pending, 0);
  assert.equal(
    checker.repeat(
      { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000, bindTo: '127.0.0.1' },
      5,
      () => {},
    ),
    null,
  );
});

it('repeat: a chain whose connect completed while the process was blocked past its deadline stays quiet', async (t) => {
  const port = await listener(t);
  const checker = openTcpChecker();
  t.after(() => checker.close());
  const reported: string[] = [];
  for (let i = 0; i < 50; i++)
    checker.repeat({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 20 }, 1, (r) =>
      reported.push(r.detail),
    );
  block(300);
  await until(() => checker.quiet >= 100, 'a hundred quiet successes');
  assert.deepEqual(reported, []);
});

it('checks started in one turn keep their own peers (one sockaddr buffer serves every IPv4 call)', async (t) => {
  const port = await listener(t);
  const checker = openTcpChecker();
  t.after(() => checker.close());
  // Port 1 on loopback is refused: alternating it with a listening port, any peer mixed up shows.
  const ports = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? port : 1));
  const chained: string[] = [];
  // Chains on the listening port stay quiet; one on port 1 fails at once, naming port 1.
  for (let i = 0; i < 10; i++)
    checker.repeat({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 }, 5, (r) =>
      chained.push(r.detail),
    );
  checker.repeat({ kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 2000 }, 5, (r) =>
    chained.push(r.detail),
  );
  const results = await Promise.all(
    ports.map((p) => checker.check({ kind: 'tcp', host: '127.0.0.1', port: p, timeoutMs: 2000 })),
  );
  assert.deepEqual(
    results.map((r) => r.ok),
    ports.map((p) => p !== 1),
  );
  for (const r of results.filter((x) => !x.ok)) assert.match(r.detail, /127\.0\.0\.1:1: ECONNREFUSED/);
  await until(() => checker.quiet >= 30, 'the chains connecting again');
  assert.equal(chained.length, 1);
  assert.match(chained[0] ?? '', /127\.0\.0\.1:1: ECONNREFUSED/);
  // IPv6 peers are built per call: the IPv4 buffer does not leak into them.
  const v6 = await checker.check({ kind: 'tcp', host: '::1', port: 1, timeoutMs: 2000 });
  assert.equal(v6.ok, false);
  assert.match(v6.detail, /\[::1\]:1: (ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH)/);
});
