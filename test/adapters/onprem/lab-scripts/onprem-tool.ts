/**
 * Runs one on-prem adapter operation inside a lab namespace (tests start it with `ip netns exec`), printing
 * JSON lines: the adapters open kernel sockets in the namespace of the process that calls them.
 *
 *   send IFACE FAMILY SRC DST HEXPAYLOAD [COUNT] [TTL]
 *   recv IFACE FAMILY SRC GROUP|- SECONDS MAX
 *   addr add|remove|list IFACE [ADDR/PREFIX] [label L] [brd B] [scope S] [plft N]
 *   announce IFACE ADDR
 */
import { openAddressManager } from '../../../../adapters/onprem/rtnetlink/index.ts';
import { openAnnouncer } from '../../../../adapters/onprem/announcer.ts';
import { openVrrpSocket } from '../../../../adapters/onprem/vrrp-socket.ts';
import type { InterfaceAddress } from '../../../../core/ports/index.ts';

const [cmd, ...args] = process.argv.slice(2);
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function main(): Promise<void> {
  if (cmd === 'send') {
    const [iface = '', fam = '4', src = '', dst = '', payload = '', count = '1', ttl] = args;
    const io = openVrrpSocket({ family: fam === '6' ? 6 : 4, interfaceName: iface, sourceAddress: src });
    for (let i = 0; i < Number(count); i++) {
      const sent = io.send({
        destination: dst,
        payload: Buffer.from(payload, 'hex'),
        ...(ttl ? { ttl: Number(ttl) } : {}),
      });
      out({ sent });
      await new Promise((r) => setTimeout(r, 20));
    }
    io.close();
    return;
  }
  if (cmd === 'recv') {
    const [iface = '', fam = '4', src = '', group = '-', seconds = '3', max = '1'] = args;
    const io = openVrrpSocket({
      family: fam === '6' ? 6 : 4,
      interfaceName: iface,
      sourceAddress: src,
      ...(group === '-' ? {} : { group }),
    });
    let n = 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Number(seconds) * 1000);
      out({ ready: true });
      io.onReceive((a) => {
        out({ ...a, payload: hex(a.payload) });
        if (++n >= Number(max)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    io.close();
    return;
  }
  if (cmd === 'addr') {
    const [op = '', iface = '', spec = '', ...rest] = args;
    const am = openAddressManager();
    try {
      if (op === 'list') {
        out(await am.list(iface || undefined));
        return;
      }
      const [address = '', prefix = ''] = spec.split('/');
      const a: InterfaceAddress = { interfaceName: iface, address, prefixLength: Number(prefix) };
      for (let i = 0; i < rest.length; i += 2) {
        const v = rest[i + 1] ?? '';
        if (rest[i] === 'label') a.label = v;
        if (rest[i] === 'brd') a.broadcast = v;
        if (rest[i] === 'scope') a.scope = v as InterfaceAddress['scope'];
        if (rest[i] === 'plft') a.preferredLifetime = Number(v);
      }
      if (op === 'add') await am.add(a);
      else await am.remove(a);
      out({ ok: true });
    } finally {
      am.close();
    }
    return;
  }
  if (cmd === 'announce') {
    const [iface = '', address = ''] = args;
    const an = openAnnouncer();
    await an.announce(iface, address);
    an.close();
    out({ ok: true });
    return;
  }
  throw new Error(`unknown command ${cmd}`);
}

main().catch((e: Error) => {
  out({ error: e.message });
  process.exitCode = 1;
});
