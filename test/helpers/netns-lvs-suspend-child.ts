// Run inside a network namespace by test/functions/agent/lvs-ha-suspend.test.ts:
//   node test/helpers/netns-lvs-suspend-child.ts /path/keepalived.conf PORT...
// Listens on 127.0.0.1:PORT for each PORT (the real servers; every accepted connection is printed), runs
// the agent's LVS side (functions/agent/lvs.ts) on an in-memory data plane with the real TCP probe and the
// real rtnetlink address watcher, and prints the pool's ha_suspend effects. One JSON line per event:
//   {"event":"accept","port":9001}  {"event":"suspend-checks"}  {"event":"resume-checks"}  {"event":"started"}
// SIGTERM stops it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseKeepalived, formatDiagnostic } from '../../core/config/index.ts';
import { createProbeRunner } from '../../adapters/probes/index.ts';
import { silentLogger } from '../../adapters/memory/index.ts';
import { systemRandom } from '../../adapters/system/index.ts';
import { openAddressWatcher } from '../../adapters/onprem/rtnetlink/index.ts';
import { createLvs } from '../../functions/agent/lvs.ts';
import { MemoryDataplane } from './memory-dataplane.ts';

const [file = '', ...ports] = process.argv.slice(2);
const say = (o: unknown): boolean => process.stdout.write(JSON.stringify(o) + '\n');
const parsed = parseKeepalived(readFileSync(file, 'utf8'), { file });
if (!parsed.ok) {
  process.stderr.write(parsed.diagnostics.map(formatDiagnostic).join('\n') + '\n');
  process.exit(5);
}
const servers = await Promise.all(
  ports.map(
    (p) =>
      new Promise<ReturnType<typeof createServer>>((resolve) => {
        const s = createServer((c) => {
          say({ event: 'accept', port: Number(p) });
          c.on('error', () => undefined);
          c.destroy();
        });
        s.listen(Number(p), '127.0.0.1', () => resolve(s));
      }),
  ),
);
const addresses = await openAddressWatcher();
const lvs = createLvs({
  config: parsed.config,
  dataplane: new MemoryDataplane(),
  probe: createProbeRunner(),
  random: systemRandom,
  log: silentLogger,
  addresses,
  onEffect: (e) => {
    if (e.kind === 'suspend-checks' || e.kind === 'resume-checks') say({ event: e.kind, rs: e.rs });
  },
});
process.on('SIGTERM', () => {
  void lvs.stop().finally(() => {
    addresses.close();
    for (const s of servers) s.close();
    process.exit(0);
  });
});
await lvs.start();
say({ event: 'started' });
