// SMTP_CHECK: 220 banner -> `HELO name` -> 250 -> `QUIT` -> 221 (keepalived check_smtp.c waits for the
// QUIT reply too; RFC 5321 §4.1.1.10: the server MUST send 221). Multi-line replies (`250-...`) end at
// the line whose code is followed by a space (RFC 5321 §4.2.1). The whole exchange shares one timeout.
import type { Socket } from 'node:net';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce, target } from './result.ts';
import { openStream, type ProbeSocketOpener } from './socket-open.ts';

export type SmtpRequest = Extract<ProbeRequest, { kind: 'smtp' }>;

const MAX_REPLY = 8 * 1024;

export function smtpProbe(req: SmtpRequest, opener?: ProbeSocketOpener): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const where = `SMTP ${target(req.host, req.port)}`;
    let socket: Socket;
    try {
      socket = openStream(req, opener);
    } catch (err) {
      s.finish(false, `${where}: ${errorText(err)}`);
      return;
    }
    const done = (ok: boolean, why: string): void => {
      clearTimeout(timer);
      socket.destroy();
      s.finish(ok, `${where}: ${why}`);
    };
    const timer = setTimeout(() => done(false, `timeout after ${req.timeoutMs} ms`), req.timeoutMs);
    socket.once('error', (err) => done(false, errorText(err)));
    socket.once('end', () => done(false, 'connection closed by server'));
    let stage: 'banner' | 'helo' | 'quit' = 'banner';
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REPLY) return done(false, 'reply too long');
      for (;;) {
        const eol = buf.indexOf('\n');
        if (eol < 0) return;
        const line = buf.slice(0, eol).replace(/\r$/, '');
        buf = buf.slice(eol + 1);
        const m = /^(\d{3})([ -]?)/.exec(line);
        if (!m) return done(false, `bad reply ${JSON.stringify(line.slice(0, 80))}`);
        if (m[2] === '-') continue; // more lines of the same reply
        const code = Number(m[1]);
        if (stage === 'banner') {
          if (code !== 220) return done(false, `banner ${code}, expected 220`);
          stage = 'helo';
          socket.write(`HELO ${req.heloName}\r\n`);
        } else if (stage === 'helo') {
          if (code !== 250) return done(false, `HELO answered ${code}, expected 250`);
          stage = 'quit';
          socket.write('QUIT\r\n');
        } else {
          if (code !== 221) return done(false, `QUIT answered ${code}, expected 221`);
          return done(true, 'banner 220, HELO 250, QUIT 221');
        }
      }
    });
  });
}
