/**
 * A shipped config's checked copy (functions/control-plane/checked.ts) stands for the validation only for
 * the very document it was made from, by the same floatip version; anything else is validated. The copy
 * is the validation's result exactly (JSON keeps every field of a full config).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { checkedPath, checkedText, readChecked } from '../../../functions/control-plane/checked.ts';
import { ControlConfigError, loadControlPlaneConfig } from '../../../functions/control-plane/config.ts';

/** Everything the control-plane schema has, so the JSON round trip is tried on every field. */
const full = {
  controlPlane: {
    redis: {
      sentinels: [{ host: '10.0.0.1', port: 26379 }],
      name: 'fip',
      passwordEnv: 'REDIS_PASSWORD',
      tls: { servername: 'r' },
    },
    http: {
      host: '0.0.0.0',
      port: 9000,
      bodyLimitBytes: 4096,
      ratePerMinute: 60,
      trustedProxies: ['10.0.0.0/8'],
    },
    worker: { concurrency: 2, lockTtlMs: 200_000, attempts: 3, backoffMs: 100 },
    sweep: { everyMs: 60_000 },
    tokens: [
      { name: 'ops', env: 'OPS_TOKEN', scopes: ['read', 'failover'] },
      { name: 'agents', value: 'a-token-0123456789abcdef', scopes: ['report'], agents: ['lb1'] },
    ],
    webhooks: {
      hmac: { env: 'HOOK_SECRET', toleranceSec: 60 },
      sns: { topicArns: ['arn:aws:sns:eu-west-1:123456789012:alerts'] },
    },
    alerts: [
      {
        match: { alertname: 'NodeDown' },
        groupLabel: 'floatip_group',
        memberLabel: 'instance',
        memberMap: { 'lb-1:9100': 'a' },
      },
      { group: 'web' },
    ],
    providers: { aws: { region: 'eu-west-1' }, r53: { type: 'dns' } },
    groups: [
      {
        id: 'web',
        members: {
          a: { priority: 200, aws: { networkInterfaceId: 'eni-0a1' }, r53: { address: '203.0.113.10' } },
          b: {
            aws: { networkInterfaceId: 'eni-0b2', privateIp: '10.0.0.5' },
            r53: { address: '203.0.113.11' },
          },
        },
        resources: [
          { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-01' } },
          {
            id: 'dns',
            provider: 'r53',
            kind: 'record',
            spec: { hostedZoneId: 'Z1', name: 'web.example.com', type: 'A' },
          },
          { id: 'mem', provider: 'memory', kind: 'address' },
        ],
      },
    ],
    policy: { call: { attempts: 4, jitter: 'full' }, concurrency: 8, rate: { perSecond: 5, burst: 10 } },
  },
};

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'floatip-checked-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes `doc` as floatip.control.json and a checked copy made by `version` from it. */
async function shipped(
  t: TestContext,
  doc: object,
  version = '1.2.3',
): Promise<{ file: string; text: string }> {
  const file = join(dir(t), 'floatip.control.json');
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(
    checkedPath(file) ?? '',
    checkedText(text, await loadControlPlaneConfig(file, undefined), version),
  );
  return { file, text };
}

test('the checked copy of a full config is the validation result, field for field', async (t) => {
  const { file, text } = await shipped(t, full);
  const validated = await loadControlPlaneConfig(file, undefined);
  assert.deepStrictEqual(readChecked(file, text, '1.2.3'), validated);
  assert.deepStrictEqual(await loadControlPlaneConfig(file, '1.2.3'), validated);
});

test('the copy stands for the validation only for the same document and the same version', async (t) => {
  const { file, text } = await shipped(t, full);
  // A copy that says something the document does not: seen only where the copy is taken.
  const marked = JSON.parse(checkedText(text, await loadControlPlaneConfig(file, undefined), '1.2.3')) as {
    controlPlane: { sweep: { everyMs: number } };
  };
  marked.controlPlane.sweep.everyMs = 4242;
  writeFileSync(checkedPath(file) ?? '', JSON.stringify(marked));
  assert.equal((await loadControlPlaneConfig(file, '1.2.3')).sweep.everyMs, 4242, 'same text, same version');
  assert.equal(
    (await loadControlPlaneConfig(file, '1.2.4')).sweep.everyMs,
    60_000,
    'another version validates',
  );
  assert.equal((await loadControlPlaneConfig(file, undefined)).sweep.everyMs, 60_000, 'outside an artifact');
  // One more space in the document: it is validated again.
  writeFileSync(file, `${text} `);
  assert.equal((await loadControlPlaneConfig(file, '1.2.3')).sweep.everyMs, 60_000, 'an edited document');
});

test('an edited document is validated: its error is reported although a checked copy is there', async (t) => {
  const { file, text } = await shipped(t, full);
  writeFileSync(file, text.replace('"lockTtlMs": 200000', '"lockTtlMs": 20'));
  await assert.rejects(
    loadControlPlaneConfig(file, '1.2.3'),
    (e: unknown) =>
      e instanceof ControlConfigError &&
      e.lines.some(
        (l) => l === `${file}: controlPlane.worker.lockTtlMs: must be an integer from 100 to 3600000`,
      ),
  );
});

test('a checked copy that is missing, broken or of another format is ignored; YAML has none', async (t) => {
  const { file, text } = await shipped(t, full);
  const copy = checkedPath(file) ?? '';
  writeFileSync(copy, '{"format": 1, "floatip": "1.2.3", ');
  assert.equal(readChecked(file, text, '1.2.3'), undefined);
  writeFileSync(
    copy,
    JSON.stringify({ ...JSON.parse(checkedText(text, { x: 1 } as never, '1.2.3')), format: 2 }),
  );
  assert.equal(readChecked(file, text, '1.2.3'), undefined);
  rmSync(copy);
  assert.equal(readChecked(file, text, '1.2.3'), undefined);
  assert.equal(checkedPath('/etc/floatip.yaml'), undefined);
  assert.equal(checkedPath('/etc/floatip.control.json'), '/etc/floatip.control.checked.json');
});
