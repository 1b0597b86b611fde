// Logs are for people: a real server going down is one line (it was two: the verdict and the pool's
// notify), and a table of many destinations applied at start is one short line of counts (it listed
// every "add-dest"). In memory: MemoryDataplane, a probe whose answer the test sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Logger } from '../../../core/ports/index.ts';
import { MemoryDataplane } from '../../helpers/memory-dataplane.ts';
import { createLvs } from '../../../functions/agent/lvs.ts';

const servers = Array.from(
  { length: 200 },
  (_, i) =>
    `    real_server 10.0.1.${(i % 250) + 1} ${8000 + i} {\n        TCP_CHECK {\n            connect_timeout 1\n            retry 0\n        }\n    }\n`,
).join('');
const conf = `virtual_server 10.0.0.100 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n${servers}}\n`;

test('one line per real-server change; the start-up table as counts', async () => {
  const parsed = parseKeepalived(conf, { file: 'k.conf' });
  assert.ok(parsed.ok);
  const lines: string[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: (m, f) => lines.push(`${m} ${f ? JSON.stringify(f) : ''}`),
    warn: (m, f) => lines.push(`${m} ${f ? JSON.stringify(f) : ''}`),
    error: (m, f) => lines.push(`${m} ${f ? JSON.stringify(f) : ''}`),
    child: () => log,
  };
  const down = 'TCP 10.0.0.100:80/10.0.1.1:8000';
  const lvs = createLvs({
    config: parsed.config,
    dataplane: new MemoryDataplane(),
    probe: {
      run: async (req) => {
        const failing = req.kind === 'tcp' && req.port === 8000;
        return { ok: !failing, detail: failing ? 'refused' : 'connected', durationMs: 0 };
      },
    },
    random: seededRandom(5),
    log,
  });
  await lvs.start();
  const deadline = Date.now() + 10_000;
  while (!lines.some((l) => l.includes(`${down} down`)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await lvs.settled();
  await lvs.stop();
  const start = lines.find((l) => l.includes('applied 201 change(s)'));
  assert.equal(
    start?.trim(),
    'lvs: memory applied 201 change(s): add-service ×1, add-dest ×200',
    lines.join('\n'),
  );
  assert.ok(
    lines.every((l) => l.length < 300),
    `a long line:\n${lines.find((l) => l.length >= 300)}`,
  );
  assert.equal(lines.filter((l) => l.includes(down)).length, 1, lines.slice(0, 8).join('\n'));
});
