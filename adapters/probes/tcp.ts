// TCP_CHECK: up when a TCP connection completes within connect_timeout (keepalived check_tcp.c).
import { connect } from 'node:net';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce, target } from './result.ts';

export type TcpRequest = Extract<ProbeRequest, { kind: 'tcp' }>;

export function tcpProbe(req: TcpRequest): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const where = target(req.host, req.port);
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect({
        host: req.host,
        port: req.port,
        ...(req.bindTo === undefined ? {} : { localAddress: req.bindTo }),
        ...(req.bindPort === undefined ? {} : { localPort: req.bindPort }),
      });
    } catch (err) {
      s.finish(false, `TCP connect to ${where}: ${errorText(err)}`);
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      s.finish(false, `TCP connect to ${where}: timeout after ${req.timeoutMs} ms`);
    }, req.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      s.finish(true, `TCP connect to ${where} succeeded`);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      s.finish(false, `TCP connect to ${where}: ${errorText(err)}`);
    });
  });
}
