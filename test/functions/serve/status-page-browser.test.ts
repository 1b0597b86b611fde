// @needs redis chromium
/**
 * The status page in a real browser (Debian's chromium, headless): sign in with the demo's read token, see
 * the demo group held by web-1, fire the demo's alert, and see the holder become web-2 without a reload,
 * the failover in the timeline and an agent's VRRP/LVS report. The screenshot it takes is checked to be a
 * real PNG; FLOATIP_WRITE_SCREENSHOT=docs/status-page.png keeps it (the README shows that one).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitReady } from '../../../adapters/redis/index.ts';
import { buildControlPlane, loadControlPlaneConfig } from '../../../functions/control-plane/index.ts';
import { runDemoAlert } from '../../../functions/control-plane/demo.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { dropPrefix, quietLogger, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { startChromium } from '../../helpers/chromium.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** An agent's report as `floatip agent --report-to` posts it (status --json and status --lvs --json). */
const agentReport = {
  vrrp: {
    instances: [
      {
        name: 'VI_WEB',
        interfaceName: 'eth0',
        vrid: 51,
        version: 2,
        state: 'MASTER',
        basePriority: 150,
        effectivePriority: 150,
        vips: ['192.0.2.10/24'],
        vipsPresent: true,
        advertIntervalMs: 1000,
        stats: { advert_sent: 42 },
      },
    ],
  },
  lvs: {
    plane: 'nftables',
    reason: 'no IPVS in this kernel',
    version: 0,
    connTabSize: 0,
    services: [
      {
        key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '192.0.2.10', port: 80 },
        scheduler: 'wrr',
        flags: { flag1: false, flag2: false, flag3: false },
        onePacket: false,
        persistence: null,
        destinations: [
          {
            addr: '10.0.0.11',
            port: 80,
            family: 'inet',
            forwarding: 'nat',
            weight: 1,
            uThreshold: 0,
            lThreshold: 0,
            tunnel: null,
          },
          {
            addr: '10.0.0.12',
            port: 80,
            family: 'inet',
            forwarding: 'nat',
            weight: 0,
            uThreshold: 0,
            lThreshold: 0,
            tunnel: null,
          },
        ],
      },
    ],
  },
};

test('the status page shows the demo failover live, without a reload', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-page-'));
  const prefix = `t-page-${randomUUID().slice(0, 8)}`;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(redisUrl, prefix);
  });
  const cfg = join(dir, 'control.yaml');
  writeFileSync(
    cfg,
    readFileSync(join(root, 'examples', 'floatip.control.yaml'), 'utf8')
      .replace('prefix: floatip-demo', `prefix: ${prefix}`)
      .replace('url: redis://127.0.0.1:6379', `url: ${redisUrl}`),
  );
  const cp = buildControlPlane(await loadControlPlaneConfig(cfg), { logger: quietLogger });
  cleanups.push(() => cp.close());
  await Promise.all([waitReady(cp.apiRedis), waitReady(cp.workerRedis)]);
  const server = await startServe(cp, { port: 0, statusPollMs: 200 });
  cleanups.push(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  cleanups.push(() => worker.close());

  // The first sweep gives the address to the best member, as the demo's first step does.
  await cp.handle({ kind: 'sweep', key: 'page-sweep', groups: ['web'] }, { id: 'page', attempt: 1 });
  const posted = await fetch(`${server.url}/v1/agents/lb-1/report`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-report-token', 'content-type': 'application/json' },
    body: JSON.stringify(agentReport),
  });
  assert.equal(posted.status, 202, await posted.text());

  const chrome = await startChromium();
  cleanups.push(() => chrome.close());
  const context = await chrome.browser.newContext({ viewport: { width: 1200, height: 1100 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.goto(`${server.url}/`);
  navigations = 0;
  assert.equal(await page.title(), 'floatip status');
  // Keyboard only: the token field is labelled, Enter submits.
  await page.getByLabel('Token with scope read').focus();
  await page.keyboard.type('demo-read-token');
  await page.keyboard.press('Enter');
  const holder = page.locator('[data-group="web"] .holder');
  await holder.filter({ hasText: 'web-1' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-agent="lb-1"]').getByText('MASTER', { exact: true }).count(), 1);
  assert.match(await page.locator('[data-agent="lb-1"]').innerText(), /1 up, 1 down/);

  await runDemoAlert(cp, server.url, { out: () => undefined, err: (m) => errors.push(m) });
  await holder.filter({ hasText: 'web-2' }).waitFor({ timeout: 20_000 });
  assert.equal(navigations, 0, 'the page was never reloaded');
  assert.equal(await page.locator('[data-group="web"] .epoch').innerText(), '2');
  const timeline = await page.locator('#timeline').innerText();
  assert.match(timeline, /web-1 → web-2/);
  assert.match(timeline, /alertmanager: /);
  assert.match(await page.locator('#announce').innerText(), /web: holder is now web-2/);
  // No secret reaches the page: the token is neither in the document nor in its URL.
  assert.ok(!(await page.content()).includes('demo-read-token'));
  assert.ok(!page.url().includes('token'));
  assert.deepEqual(errors, []);

  const shot = process.env.FLOATIP_WRITE_SCREENSHOT
    ? join(root, process.env.FLOATIP_WRITE_SCREENSHOT)
    : join(dir, 'status-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  const png = readFileSync(shot);
  assert.ok(statSync(shot).size > 10_000, `screenshot of ${statSync(shot).size} bytes`);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (process.env.FLOATIP_WRITE_SCREENSHOT) copyFileSync(shot, join(dir, 'kept.png'));
});
