// Runs probes inside a namespace for connect-options.test.ts:
//   ip netns exec NS node_modules/.bin/node test/netns/probes/probe-once.ts '[ProbeRequest, ...]'
// Prints one JSON ProbeResult per line. Payloads arrive as arrays of numbers.
import { openProbeSocket } from '../../../adapters/onprem/probe-socket.ts';
import { runOne } from '../../../adapters/probes/index.ts';
import type { ProbeRequest } from '../../../core/ports/index.ts';

const reqs = JSON.parse(process.argv[2] ?? '[]') as Array<ProbeRequest & { payload?: number[] }>;
for (const r of reqs) {
  const req = (r.kind === 'udp' ? { ...r, payload: new Uint8Array(r.payload ?? []) } : r) as ProbeRequest;
  const res = await runOne(req, openProbeSocket);
  process.stdout.write(`${JSON.stringify(res)}\n`);
}
