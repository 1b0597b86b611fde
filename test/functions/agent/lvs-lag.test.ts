// The LVS side notices when its check timers run late (the process short of CPU): one warning when it
// starts, one line when checks are on time again, the lateness reported to the metrics observer — and the
// real server is not declared down for it. In memory (MemoryDataplane, a probe that always answers up);
// the starvation is this thread blocked for 1.5 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Logger } from '../../../core/ports/index.ts';
import { MemoryDataplane } from '../../helpers/memory-dataplane.ts';
import { createLvs, LAG_WARN_MS } from '../../../functions/agent/lvs.ts';

const conf = `
virtual_server 10.0.0.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => log,
  };
  return log;
}

test('late check timers: one warning, one all-clear, lag observed, no server down', async () => {
  const parsed = parseKeepalived(conf, { file: 'k.conf' });
  assert.ok(parsed.ok);
  const lines: string[] = [];
  const lags: number[] = [];
  const verdicts: boolean[] = [];
  const lvs = createLvs({
    config: parsed.config,
    dataplane: new MemoryDataplane(),
    probe: { run: async () => ({ ok: true, detail: 'connected', durationMs: 0 }) },
    random: seededRandom(3),
    log: recordingLogger(lines),
    observe: { lag: (ms) => lags.push(ms), realServer: (up) => verdicts.push(up) },
  });
  await lvs.start();
  // The first check is due 1 s + up to one delay_loop of warmup after start: block well past it.
  const until = performance.now() + 3500;
  while (performance.now() < until) {
    // the agent does not get the CPU
  }
  const deadline = Date.now() + 10_000;
  while (!lines.some((l) => l.includes('on time again')) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await lvs.stop();
  const warnings = lines.filter((l) => l.includes('running') && l.startsWith('warn'));
  assert.equal(warnings.length, 1, lines.join('\n'));
  assert.equal(lines.filter((l) => l.includes('on time again')).length, 1, lines.join('\n'));
  assert.ok(Math.max(...lags) >= LAG_WARN_MS, `largest lag ${Math.max(...lags)} ms`);
  assert.deepEqual(verdicts, [], 'no verdict change: the server stayed up');
  assert.deepEqual(
    lvs.servers().map((s) => `${s.vs} ${s.rs} ${s.up}`),
    ['TCP 10.0.0.100:80 10.0.0.11:80 true'],
  );
});
