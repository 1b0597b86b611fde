// @needs redis
/**
 * The agent's status reporter against a real control plane over HTTP and a real agent control socket:
 * the report the status page shows is what the socket answers; a failure is logged once when it starts
 * and once when it ends, whatever the number of attempts in between.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startControlServer } from '../../../adapters/system/control-server.ts';
import { reporterOptions, startStatusReporter } from '../../../functions/agent/status-reporter.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { controlFixture, eventually, opsToken, viewerToken } from '../../e2e/control-plane/fixture.ts';

const reportToken = 'agent-report-token';
const status = {
  instances: [
    {
      name: 'VI_1',
      interfaceName: 'eth0',
      vrid: 51,
      version: 2,
      state: 'BACKUP',
      basePriority: 100,
      effectivePriority: 90,
      master: { address: '10.0.0.1', priority: 150, lastAdvertAgoMs: 120 },
      vips: ['10.0.0.100/24'],
      vipsPresent: false,
      advertIntervalMs: 1000,
      stats: { advert_rcvd: 12 },
    },
  ],
};

test('reporter options: URL, token from the environment, name and interval are checked', () => {
  const log = () => undefined;
  assert.equal(reporterOptions({}, '/s', {}, log), null);
  assert.match(
    String(reporterOptions({ 'report-to': 'http://cp:8080' }, '/s', {}, log)),
    /FLOATIP_REPORT_TOKEN/,
  );
  assert.match(
    String(reporterOptions({ 'report-to': 'cp:8080' }, '/s', { FLOATIP_REPORT_TOKEN: 't' }, log)),
    /http/,
  );
  assert.match(
    String(
      reporterOptions(
        { 'report-to': 'http://cp', 'report-name': '../x' },
        '/s',
        { FLOATIP_REPORT_TOKEN: 't' },
        log,
      ),
    ),
    /--report-name/,
  );
  assert.match(
    String(
      reporterOptions(
        { 'report-to': 'http://cp', 'report-interval': '0' },
        '/s',
        { FLOATIP_REPORT_TOKEN: 't' },
        log,
      ),
    ),
    /--report-interval/,
  );
  const o = reporterOptions(
    { 'report-to': 'http://cp:8080/', 'report-name': 'lb-1', 'report-interval': '2' },
    '/s',
    { FLOATIP_REPORT_TOKEN: 't' },
    log,
  );
  assert.deepEqual(o && typeof o === 'object' ? [o.url, o.name, o.intervalMs, o.token] : o, [
    'http://cp:8080',
    'lb-1',
    2000,
    't',
  ]);
});

test('the agent’s status reaches the status page; a failure is logged once, its end once', async (t) => {
  const f = await controlFixture(t, {
    patch: {
      tokens: [
        { name: 'ops', value: opsToken, scopes: ['read', 'failover'] },
        { name: 'viewer', value: viewerToken, scopes: ['read'] },
        { name: 'agents', value: reportToken, scopes: ['report'] },
      ],
    },
  });
  const server = await startServe(f.cp, { port: 0 });
  f.defer(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'fip-reporter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'agent.sock');
  const lines: string[] = [];
  const options = reporterOptions(
    { 'report-to': server.url, 'report-name': 'lb-1', 'report-interval': '0.1' },
    socketPath,
    { FLOATIP_REPORT_TOKEN: reportToken },
    (level, m) => lines.push(`${level}: ${m}`),
  );
  assert.ok(options && typeof options === 'object');
  // No agent socket yet: every attempt fails, and that is said once.
  const reporter = startStatusReporter(options);
  t.after(() => reporter.stop());
  await reporter.first;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(
    lines[0] ?? '',
    /^warn: status reports to http:\/\/127\.0\.0\.1:\d+ fail: no floatip agent is listening/,
  );

  const agent = await startControlServer(socketPath, ({ op }) => {
    if (op === 'status') return status;
    throw new Error(`unknown op ${op}`);
  });
  t.after(() => new Promise<void>((r) => agent.close(() => r())));
  await eventually(async () => {
    const s = (await (
      await fetch(`${server.url}/v1/status`, { headers: { authorization: `Bearer ${viewerToken}` } })
    ).json()) as { agents: { name: string; report: { vrrp: typeof status; lvs: unknown } }[] };
    return s.agents[0]?.name === 'lb-1' ? s.agents[0] : undefined;
  }, 'the report on the status page').then((a) => {
    assert.deepEqual(a.report.vrrp, status);
    assert.equal(a.report.lvs, null, 'an agent without an LVS side reports none');
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    lines.map((l) => l.replace(/ fail: .*/, ' fail')),
    [`warn: status reports to ${server.url} fail`, `info: status reports to ${server.url} work again`],
  );
});
