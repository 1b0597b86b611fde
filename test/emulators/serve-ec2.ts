/**
 * Runs the EC2 emulator as a standalone process, for tests whose clients live in other processes (agents
 * in network namespaces). The emulator itself is unchanged: it listens on 127.0.0.1 (an ephemeral port)
 * and this launcher relays TCP from `--host`:`--port` (and, with `--unix`, from a Unix socket, which
 * crosses network namespaces) to it. Initial state comes from the command line:
 *
 *   node test/emulators/serve-ec2.ts --host 10.99.0.100 --port 4566 --unix /tmp/x/ec2.sock \
 *     --eni eni-a=10.0.1.10@i-a --eni eni-b=10.0.1.20@i-b --eip eipalloc-1=198.51.100.7 --table rtb-1
 *
 * Prints one line `listening http://HOST:PORT` once ready; SIGTERM/SIGINT close it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEc2Emulator } from './ec2.ts';

function relay(targetPort: number): Server {
  return createServer((client: Socket) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
}

function fail(message: string): never {
  process.stderr.write(`serve-ec2: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    unix: { type: 'string' },
    eni: { type: 'string', multiple: true, default: [] },
    eip: { type: 'string', multiple: true, default: [] },
    table: { type: 'string', multiple: true, default: [] },
  },
});

const ec2 = await startEc2Emulator();
for (const e of values.eni) {
  const m = /^(eni-[\w-]+)=([\d.]+)(?:@([\w-]+))?$/.exec(e);
  if (!m?.[1] || !m[2]) fail(`--eni ${e}: expected eni-ID=PRIVATE_IP[@INSTANCE_ID]`);
  ec2.state.addEni({ id: m[1], privateIps: [m[2]], instanceId: m[3] ?? null, sourceDestCheck: false });
}
for (const a of values.eip) {
  const m = /^(eipalloc-[\w-]+)=([\d.]+)$/.exec(a);
  if (!m?.[1] || !m[2]) fail(`--eip ${a}: expected eipalloc-ID=PUBLIC_IP`);
  ec2.state.addAddress({ allocationId: m[1], publicIp: m[2] });
}
for (const t of values.table) ec2.state.addTable({ id: t });

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${values.port}: not a port number`);
const tcp = relay(ec2.port);
await new Promise<void>((resolve, reject) => {
  tcp.once('error', reject);
  tcp.listen(port, values.host, resolve);
});
const unixPath = values.unix;
const unix = unixPath ? relay(ec2.port) : null;
if (unix && unixPath) {
  rmSync(unixPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    unix.once('error', reject);
    unix.listen(unixPath, resolve);
  });
}
const bound = tcp.address();
const shown = typeof bound === 'object' && bound ? bound.port : port;
process.stdout.write(`listening http://${values.host}:${shown}\n`);

const stop = (): void => {
  tcp.close();
  unix?.close();
  if (unixPath) rmSync(unixPath, { force: true });
  void ec2.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
