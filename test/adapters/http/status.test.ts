// @needs redis
/**
 * The status page's data over HTTP: a read token sees groups, the failover timeline, queue depth and
 * agents; the event stream sends a snapshot at once and another when something changes; agents report
 * with a `report` token only, bodies are checked and kept with a TTL; the page itself carries no data.
 */
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { test } from 'node:test';
import { pageScript } from '../../../adapters/http/status/page.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { controlFixture, eventually, opsToken, viewerToken } from '../../e2e/control-plane/fixture.ts';

const reportToken = 'report-secret-token';
const boundToken = 'report-lb-1-only-token';

async function setup(t: Parameters<typeof controlFixture>[0]) {
  const f = await controlFixture(t, {
    patch: {
      tokens: [
        { name: 'ops', value: opsToken, scopes: ['read', 'failover'] },
        { name: 'viewer', value: viewerToken, scopes: ['read'] },
        { name: 'agents', value: reportToken, scopes: ['report'] },
        { name: 'lb-1', value: boundToken, scopes: ['report'], agents: ['lb-1'] },
      ],
    },
  });
  const server = await startServe(f.cp, { port: 0, statusPollMs: 100 });
  f.defer(() => server.close());
  const call = (path: string, token: string | null, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  return { ...f, server, call };
}

/** Reads server-sent events from a fetch response until `until` returns true for one. */
async function readEvents(res: Response, until: (event: string, data: unknown) => boolean): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined && until(event, JSON.parse(data))) {
        await reader.cancel();
        return;
      }
    }
  }
}

test('status: a read token sees groups, timeline and queue; the stream sends a change without asking', async (t) => {
  const { call, cp } = await setup(t);
  assert.equal((await call('/v1/status', null)).status, 401);
  assert.equal((await call('/v1/status', reportToken)).status, 403, 'a report token cannot read');
  const first = (await (await call('/v1/status', viewerToken)).json()) as {
    groups: { id: string; holder: string | null }[];
    timeline: unknown[];
    queue: Record<string, number>;
  };
  assert.deepEqual(
    first.groups.map((g) => [g.id, g.holder]),
    [
      ['web', null],
      ['db', null],
    ],
  );
  assert.deepEqual(first.timeline, []);
  assert.equal(first.queue.waiting, 0);

  const stream = await call('/v1/status/events', viewerToken);
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
  let seen = 0;
  const events = readEvents(stream, (event, data) => {
    if (event !== 'status') return false;
    seen++;
    const s = data as {
      groups: { id: string; holder: string | null; epoch: number }[];
      timeline: { to: string; writes: number; durationMs: number | null; source: string }[];
    };
    const web = s.groups.find((g) => g.id === 'web');
    if (web?.holder !== 'c') return false;
    assert.equal(web.epoch, 1);
    assert.equal(s.timeline[0]?.to, 'c');
    assert.equal(s.timeline[0]?.source, 'manual');
    assert.equal(s.timeline[0]?.writes, 1);
    assert.ok((s.timeline[0]?.durationMs ?? -1) >= 0, 'duration from the finished job');
    return true;
  });
  const queued = await call('/v1/groups/web/switchover', opsToken, { method: 'POST', body: { to: 'c' } });
  assert.equal(queued.status, 202);
  const worker = await startWorker(cp, { schedule: false });
  t.after(() => worker.close());
  await events;
  assert.ok(seen >= 2, 'a snapshot at once, then the change');
});

test('agents report with a report token; bodies are checked; reports expire', async (t) => {
  const { call, cp, prefix } = await setup(t);
  const report = {
    vrrp: {
      instances: [
        {
          name: 'VI_1',
          vrid: 5,
          state: 'BACKUP',
          basePriority: 100,
          effectivePriority: 100,
          vips: ['10.0.0.5'],
        },
      ],
    },
    lvs: null,
  };
  assert.equal(
    (await call('/v1/agents/lb-1/report', viewerToken, { method: 'POST', body: report })).status,
    403,
  );
  assert.equal((await call('/v1/agents/lb-1/report', null, { method: 'POST', body: report })).status, 401);
  const bad = await call('/v1/agents/lb-1/report', reportToken, {
    method: 'POST',
    body: { vrrp: { instances: [{ ...report.vrrp.instances[0], state: 7 }] } },
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'vrrp.instances[0].state');
  const badName = await call('/v1/agents/..%2Fx/report', reportToken, { method: 'POST', body: report });
  assert.equal(badName.status, 400);
  const ok = await call('/v1/agents/lb-1/report', reportToken, { method: 'POST', body: report });
  assert.equal(ok.status, 202, await ok.clone().text());
  const ttl = await cp.apiRedis.ttl(`{${prefix}}:agent:lb-1`);
  assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
  await eventually(async () => {
    const s = (await (await call('/v1/status', viewerToken)).json()) as {
      agents: { name: string; report: typeof report }[];
    };
    return s.agents.length === 1 && s.agents[0]?.report.vrrp.instances[0]?.state === 'BACKUP'
      ? true
      : undefined;
  }, 'the report on the status');
  await cp.apiRedis.pexpire(`{${prefix}}:agent:lb-1`, 1);
  await eventually(async () => {
    const a = (await (await call('/v1/agents', viewerToken)).json()) as { agents: unknown[] };
    return a.agents.length === 0 ? true : undefined;
  }, 'the report expires');
});

test('a report token bound to agents reports only as them', async (t) => {
  const { call } = await setup(t);
  const report = { vrrp: { instances: [] }, lvs: null };
  const as = async (name: string) =>
    call(`/v1/agents/${name}/report`, boundToken, { method: 'POST', body: report });
  assert.equal((await as('lb-1')).status, 202);
  const other = await as('lb-2');
  assert.equal(other.status, 403);
  assert.deepEqual(((await other.json()) as { error: { code: string; field: string } }).error, {
    code: 'agent_not_allowed',
    field: 'name',
    message: "token 'lb-1' may not report as 'lb-2'",
  });
  const agents = (await (await call('/v1/agents', viewerToken)).json()) as { agents: { name: string }[] };
  assert.deepEqual(
    agents.agents.map((a) => a.name),
    ['lb-1'],
    'nothing stored for the refused name',
  );
});

test('the page holds no data, is locked down by its CSP, and its script compiles', async (t) => {
  const { call } = await setup(t);
  const page = await call('/', null);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<label for="token">/);
  assert.doesNotMatch(html, /web|token-secret|viewer/);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  const js = await call('/status.js', null);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.doesNotThrow(() => new Script(pageScript));
  const doc = (await (await call('/openapi.json', null)).json()) as {
    paths: Record<string, Record<string, { 'x-floatip-scope'?: string }>>;
  };
  assert.equal(doc.paths['/v1/status/events']?.get?.['x-floatip-scope'], 'read');
  assert.equal(doc.paths['/v1/agents/{name}/report']?.post?.['x-floatip-scope'], 'report');
  // Everything the script shows goes through textContent; it never writes HTML.
  assert.doesNotMatch(pageScript, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
});
