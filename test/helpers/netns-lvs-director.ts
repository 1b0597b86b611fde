// The LVS lab's director process, run inside the director namespace:
//   node test/helpers/netns-lvs-director.ts /path/keepalived.conf
// Runs the agent's LVS side (functions/agent/lvs.ts) with the real probes and the data plane chosen as the
// agent chooses it (nftables on this kernel). Prints one JSON line per applied table:
//   {"event":"applied","dests":["10.98.2.2:8080=1", ...],"plane":"nftables"}
// SIGHUP re-reads the file (lvs.reload); SIGTERM removes what it programmed and exits.
import { readFileSync } from 'node:fs';
import { parseKeepalived, formatDiagnostic } from '../../core/config/index.ts';
import { createProbeRunner } from '../../adapters/probes/index.ts';
import { createLogger, systemRandom } from '../../adapters/system/index.ts';
import { createLvs } from '../../functions/agent/lvs.ts';
import { chooseDataplane } from '../../adapters/onprem/lvs-dataplane.ts';

const file = process.argv[2] ?? '';
const parsed = parseKeepalived(readFileSync(file, 'utf8'), {
  file,
  readFile: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
});
if (!parsed.ok) {
  process.stderr.write(parsed.diagnostics.map(formatDiagnostic).join('\n') + '\n');
  process.exit(5);
}
const chosen = await chooseDataplane('auto');
const log = createLogger({ name: 'lvs-director', level: 'warn' });
const say = (o: unknown): boolean => process.stdout.write(JSON.stringify(o) + '\n');
const lvs = createLvs({
  config: parsed.config,
  dataplane: chosen.dataplane,
  probe: createProbeRunner({ concurrency: 64 }),
  random: systemRandom,
  log,
  onApplied: (table) =>
    say({
      event: 'applied',
      plane: chosen.dataplane.name,
      dests: table.services
        .flatMap((s) => s.destinations.map((d) => `${d.addr}:${d.port}=${d.weight}`))
        .sort(),
    }),
});
process.on('SIGHUP', () => {
  const again = parseKeepalived(readFileSync(file, 'utf8'), { file });
  if (!again.ok) return void say({ event: 'reload-refused' });
  lvs.reload(again.config).then(
    () => say({ event: 'reloaded' }),
    (e: unknown) => say({ event: 'reload-failed', error: String(e) }),
  );
});
process.on('SIGTERM', () => {
  lvs.stop().finally(() => process.exit(0));
});
await lvs.start();
say({ event: 'started', plane: chosen.dataplane.name, reason: chosen.reason });
