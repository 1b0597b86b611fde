/**
 * The nftables adapter streams a transaction to `nft -f -` in chunks (nft-dataplane.ts run()): with a
 * stand-in command that copies its stdin to a file, a first apply of 10,000 real servers (~10 MB, far
 * beyond a pipe's buffer, so writes wait for the reader) arrives whole and byte for byte what preview()
 * renders; a command that exits without reading fails the apply instead of hanging it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LbDestination, LbOp, LbService } from '../../../../core/ports/index.ts';
import { NftDataplane } from '../../../../adapters/onprem/nft/index.ts';

const key = { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 } as const;
const head: Omit<LbService, 'destinations'> = {
  key,
  scheduler: 'rr',
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence: null,
};
const dest = (port: number): LbDestination => ({
  addr: '10.1.0.1',
  port,
  family: 'inet',
  forwarding: 'nat',
  weight: 1,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});
const ops: LbOp[] = [
  { kind: 'add-service', service: head },
  ...Array.from({ length: 10_000 }, (_, i): LbOp => ({
    kind: 'add-dest',
    service: key,
    dest: dest(20_000 + i),
  })),
];

test('a 10,000-server transaction reaches nft whole, as preview() renders it', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'fip-nft-stream-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'input.nft');
  // a slow reader: nft's stdin fills and the adapter waits for it to drain
  const plane = new NftDataplane({ command: ['sh', '-c', 'sleep 0.2; cat > "$0"', out] });
  const expected = plane.preview(ops);
  assert.ok(expected.length > 5_000_000, `${expected.length} characters`);
  const r = await plane.apply(ops);
  assert.equal(r.kind, 'ok');
  assert.equal(readFileSync(out, 'utf8'), expected);
});

test('nft exiting without reading fails the apply, and the table is not taken as installed', async () => {
  const plane = new NftDataplane({ command: ['sh', '-c', 'echo "no thanks" >&2; exit 1'] });
  const r = await plane.apply(ops);
  assert.equal(r.kind, 'give-up');
  if (r.kind === 'give-up') assert.match(r.reason, /no thanks/);
  const t = await plane.read();
  assert.equal(t.kind === 'ok' && t.value.services.length, 0);
});
