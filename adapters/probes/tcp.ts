// TCP_CHECK: up when a TCP connection completes within connect_timeout (keepalived check_tcp.c).
// This is the hot path of large pools, so it allocates as little as it can per attempt.
import type { Socket } from 'node:net';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, target } from './result.ts';
import { openStream, type ProbeSocketOpener } from './socket-open.ts';

export type TcpRequest = Extract<ProbeRequest, { kind: 'tcp' }>;

const failure = (req: TcpRequest, start: number, why: string): ProbeResult => ({
  ok: false,
  detail: `TCP connect to ${target(req.host, req.port)}: ${why}`,
  durationMs: performance.now() - start,
});

export function tcpProbe(req: TcpRequest, opener?: ProbeSocketOpener): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    let socket: Socket;
    try {
      socket = openStream(req, opener);
    } catch (err) {
      resolve(failure(req, start, errorText(err)));
      return;
    }
    let settled = false;
    const finish = (ok: boolean, timedOut: boolean, err?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (ok) resolve({ ok, detail: 'connected', durationMs: performance.now() - start });
      else resolve(failure(req, start, timedOut ? `timeout after ${req.timeoutMs} ms` : errorText(err)));
    };
    const timer = setTimeout(finish, req.timeoutMs, false, true);
    socket.once('connect', () => finish(true, false));
    socket.once('error', (err) => finish(false, false, err));
  });
}
