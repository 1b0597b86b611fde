// UDP_CHECK: send the payload on a connected UDP socket. With `requireReply` (floatip's default, fixing
// keepalived pain point P15) a reply must arrive before the timeout, within the length bounds and
// starting with the hex pattern (X = any nibble). Without it, silence until the timeout is up and only
// an ICMP error (seen as ECONNREFUSED / EHOSTUNREACH) fails, as keepalived does.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce, target } from './result.ts';
import { connectDatagram, type ProbeSocketOpener } from './socket-open.ts';

export type UdpRequest = Extract<ProbeRequest, { kind: 'udp' }>;

/** Does `reply` start with `pattern` (hex digits, X/x = any nibble)? Throws on a malformed pattern. */
export function matchesReplyPattern(pattern: string, reply: Uint8Array): boolean {
  if (!/^[0-9a-fA-FxX]*$/.test(pattern) || pattern.length % 2 !== 0) {
    throw new RangeError(`require_reply ${JSON.stringify(pattern)}: expected pairs of hex digits or X`);
  }
  if (reply.length < pattern.length / 2) return false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === 'x' || ch === 'X') continue;
    const byte = reply[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (nibble !== parseInt(ch, 16)) return false;
  }
  return true;
}

export function udpProbe(req: UdpRequest, opener?: ProbeSocketOpener): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const where = `UDP ${target(req.host, req.port)}`;
    const sock = createSocket(isIPv6(req.host) ? 'udp6' : 'udp4');
    const done = (ok: boolean, why: string): void => {
      if (s.settled) return;
      clearTimeout(timer);
      sock.close();
      s.finish(ok, `${where}: ${why}`);
    };
    const timer = setTimeout(() => {
      if (req.requireReply === null) done(true, `no ICMP error within ${req.timeoutMs} ms`);
      else done(false, `no reply within ${req.timeoutMs} ms`);
    }, req.timeoutMs);
    sock.on('error', (err) => done(false, errorText(err)));
    sock.on('message', (msg) => {
      if (req.requireReply === null) return done(true, `reply of ${msg.length} bytes`);
      if (msg.length < req.minReplyLength || msg.length > req.maxReplyLength) {
        return done(
          false,
          `reply of ${msg.length} bytes outside ${req.minReplyLength}..${req.maxReplyLength}`,
        );
      }
      let ok: boolean;
      try {
        ok = matchesReplyPattern(req.requireReply, msg);
      } catch (err) {
        return done(false, errorText(err));
      }
      done(ok, ok ? `reply of ${msg.length} bytes matches` : `reply does not start with ${req.requireReply}`);
    });
    try {
      connectDatagram(sock, req, opener, () =>
        sock.send(req.payload, (err) => err && done(false, errorText(err))),
      );
    } catch (err) {
      done(false, errorText(err));
    }
  });
}
