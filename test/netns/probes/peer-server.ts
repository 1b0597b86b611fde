// The far end for connect-options.test.ts, run inside a namespace:
//   ip netns exec NS node_modules/.bin/node test/netns/probes/peer-server.ts PORT IPV4
// TCP on :: prints "tcp ADDR PORT" per connection and answers one HTTP 200 (IPv4 peers printed without
// ::ffff:). UDP prints "udp ADDR PORT" and replies "pong", on IPV4 (bound to it, so the reply comes from
// the address the prober connected to) and on IPv6 ::. Prints "ready".
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const port = Number(process.argv[2] ?? '8080');
const plain = (a: string | undefined): string => (a ?? '?').replace(/^::ffff:/, '');
const tcp = createServer((c) => {
  process.stdout.write(`tcp ${plain(c.remoteAddress)} ${c.remotePort}\n`);
  c.on('error', () => {});
  c.once('data', () => c.end('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'));
});
const udp4 = createSocket({ type: 'udp4' });
const udp6 = createSocket({ type: 'udp6', ipv6Only: true });
for (const u of [udp4, udp6]) {
  u.on('message', (_m, r) => {
    process.stdout.write(`udp ${plain(r.address)} ${r.port}\n`);
    u.send('pong', r.port, r.address);
  });
}
let up = 0;
const ready = (): void => {
  up += 1;
  if (up === 3) process.stdout.write('ready\n');
};
tcp.listen(port, '::', ready);
udp4.bind(port, process.argv[3] ?? '0.0.0.0', ready);
udp6.bind(port, '::', ready);
process.on('SIGTERM', () => process.exit(0));
