// The real servers of bench:checker: one process listening on N TCP ports of one address, accepting and
// closing every connection. It counts accepted connections (the checks that reached a server, whoever
// made them) and answers "count" on stdin with that number, so the bench measures checks/s from the
// servers' side, the same way for keepalived and for the agent.
//
// Usage (inside the servers' namespace): node servers.ts ADDRESS FIRST_PORT N
// Prints one JSON line with the ports it listens on, then a number per "count" line received.
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';

const [address = '127.0.0.1', first = '20000', n = '1000'] = process.argv.slice(2);
let accepted = 0;
const servers: Server[] = [];
const ports: number[] = [];
for (let port = Number(first); ports.length < Number(n) && port < 65_000; port++) {
  const s = createServer((c) => {
    accepted += 1;
    c.on('error', () => undefined);
    c.destroy();
  });
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.listen({ port, host: address, backlog: 511 }, () => resolve(true));
  });
  if (ok) {
    servers.push(s);
    ports.push(port);
  }
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line.trim() === 'count') process.stdout.write(`${accepted}\n`);
});
rl.on('close', () => process.exit(0));
