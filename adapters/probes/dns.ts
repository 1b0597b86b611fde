// DNS_CHECK: one UDP query with RD set; up when a reply with the same ID, QR=1 and RCODE=0 arrives
// within connect_timeout (keepalived check_dns.c; NXDOMAIN fails).
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { decodeHeader, encodeQuery, RCODE_NAMES } from './dns-codec.ts';
import { errorText, settleOnce, target } from './result.ts';
import { connectDatagram, type ProbeSocketOpener } from './socket-open.ts';

export type DnsRequest = Extract<ProbeRequest, { kind: 'dns' }>;

export function dnsProbe(req: DnsRequest, opener?: ProbeSocketOpener): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const where = `DNS ${req.type} ${req.name} @ ${target(req.host, req.port)}`;
    const id = randomInt(0, 0x10000);
    let query: Uint8Array;
    try {
      query = encodeQuery(id, req.name, req.type);
    } catch (err) {
      return s.finish(false, `${where}: ${errorText(err)}`);
    }
    const sock = createSocket(isIPv6(req.host) ? 'udp6' : 'udp4');
    const done = (ok: boolean, why: string): void => {
      if (s.settled) return;
      clearTimeout(timer);
      sock.close();
      s.finish(ok, `${where}: ${why}`);
    };
    const timer = setTimeout(() => done(false, `no reply within ${req.timeoutMs} ms`), req.timeoutMs);
    sock.on('error', (err) => done(false, errorText(err)));
    sock.on('message', (msg) => {
      const h = decodeHeader(msg);
      if (h === null || h.id !== id || !h.qr) return; // not our reply: keep waiting
      if (h.rcode !== 0) return done(false, `rcode ${RCODE_NAMES[h.rcode] ?? h.rcode}`);
      done(true, `answered (${h.ancount} answers)`);
    });
    try {
      connectDatagram(sock, req, opener, () => sock.send(query, (err) => err && done(false, errorText(err))));
    } catch (err) {
      done(false, errorText(err));
    }
  });
}
