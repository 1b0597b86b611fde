// A real server for the LVS lab: an HTTP server that answers every request with its own name, run inside a
// namespace with `ip netns exec NS node_modules/.bin/node test/helpers/netns-lvs-server.ts NAME PORT`.
// Prints "ready" once listening; exits on SIGTERM.
import { createServer } from 'node:http';

const [name = 'rs', port = '8080'] = process.argv.slice(2);
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end(name);
});
server.listen(Number(port), '::', () => process.stdout.write('ready\n')); // IPv4 and IPv6
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
