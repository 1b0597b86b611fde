// PING_CHECK: one ICMP echo with a reply inside connect_timeout. Node cannot open ICMP sockets (dgram
// is UDP only, and unprivileged ICMP datagram sockets also need net.ipv4.ping_group_range), so this
// runs iputils `ping -c 1` (Debian package iputils-ping); the timer here bounds it regardless.
import { spawn } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce } from './result.ts';

export type PingRequest = Extract<ProbeRequest, { kind: 'ping' }>;

export function pingArgs(req: PingRequest): string[] {
  const waitS = Math.max(1, Math.ceil(req.timeoutMs / 1000));
  return [
    isIPv6(req.host) ? '-6' : '-4',
    '-n',
    '-q',
    '-c',
    '1',
    '-W',
    String(waitS),
    ...(req.bindTo === undefined ? [] : ['-I', req.bindTo]),
    '--',
    req.host,
  ];
}

export function pingProbe(req: PingRequest, command = 'ping'): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const where = `PING ${req.host}`;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, pingArgs(req), { stdio: 'ignore' });
    } catch (err) {
      return s.finish(false, `${where}: ${errorText(err)}`);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      s.finish(false, `${where}: no echo reply within ${req.timeoutMs} ms`);
    }, req.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      s.finish(false, `${where}: cannot run ${command}: ${errorText(err)}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) s.finish(true, `${where}: echo reply`);
      else s.finish(false, `${where}: no echo reply (ping exit ${code ?? 'signal'})`);
    });
  });
}
