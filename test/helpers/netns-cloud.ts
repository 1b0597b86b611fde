/**
 * Cloud pieces of the netns lab: the EC2 emulator as its own process inside a lab namespace (reachable
 * from the directors over the bridge), a loopback relay so the test process can reach the same emulator
 * with the real SDK (through a Unix socket, which crosses namespaces), and `floatip agent` processes with
 * a keepalived.conf plus the `floatip-cloud.yaml` overlay next to it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabNode } from './netns.ts';

const launcher = fileURLToPath(new URL('../../bin/floatip.mjs', import.meta.url));
const serveEc2 = fileURLToPath(new URL('../emulators/serve-ec2.ts', import.meta.url));

/** Fake credentials the SDK signs with; the emulator does not check them. */
export const testAwsEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDNETNSTEST',
  AWS_SECRET_ACCESS_KEY: 'netns-test-secret',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

function outputOf(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface LabEc2 {
  /** The endpoint the directors use: `http://<node address>:<port>`. */
  url: string;
  /** The same emulator from the test process (loopback relay to its Unix socket). */
  localUrl: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts test/emulators/serve-ec2.ts in `node`'s namespace on its bridge address, seeded with `seed`
 * (serve-ec2 arguments such as `--eni eni-a=10.0.1.10@i-a`), and waits until it listens.
 */
export async function startLabEc2(lab: Lab, node: LabNode, port: number, seed: string[]): Promise<LabEc2> {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-ec2-'));
  const unixPath = join(dir, 'ec2.sock');
  const child = lab.spawn(node, [
    process.execPath,
    serveEc2,
    '--host',
    node.ipv4,
    '--port',
    String(port),
    '--unix',
    unixPath,
    ...seed,
  ]);
  const log = outputOf(child);
  let relay: Server | null = null;
  const stop = async (): Promise<void> => {
    relay?.close();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited(child), new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve-ec2 did not start:\n${log()}`)), 60_000);
      child.stdout?.on('data', () => {
        if (log().includes('listening ')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve-ec2 exited (${code}):\n${log()}`));
      });
    });
    const server = createServer((c) => {
      const up = createConnection(unixPath);
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    relay = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const localPort = typeof address === 'object' && address ? address.port : 0;
    return {
      url: `http://${node.ipv4}:${port}`,
      localUrl: `http://127.0.0.1:${localPort}`,
      log,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface CloudAgent {
  node: LabNode;
  /** keepalived.conf; floatip-cloud.yaml sits next to it. */
  configPath: string;
  socketPath: string;
  log(): string;
  /** State of one VRRP instance through the control socket; undefined when the agent is not answering. */
  state(instance: string): Promise<string | undefined>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after a while, and remove the temp dir. */
  stop(): Promise<void>;
}

/** Runs `floatip agent` in `node`'s namespace with keepalived.conf and floatip-cloud.yaml in a temp dir. */
export function startCloudAgent(
  lab: Lab,
  node: LabNode,
  files: { keepalived: string; cloudOverlay: string },
  env: Record<string, string>,
): CloudAgent {
  const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-cloud-agent-'));
  const configPath = join(dir, 'keepalived.conf');
  const socketPath = join(dir, 'agent.sock');
  writeFileSync(configPath, files.keepalived);
  writeFileSync(join(dir, 'floatip-cloud.yaml'), files.cloudOverlay);
  const child = lab.spawn(
    node,
    [process.execPath, launcher, 'agent', '--config', configPath, '--socket', socketPath],
    { stdio: 'pipe', env: { ...process.env, ...env } },
  );
  const log = outputOf(child);
  return {
    node,
    configPath,
    socketPath,
    log,
    async state(instance) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `the agent on ${node.name} exited (${child.exitCode ?? child.signalCode}):\n${log()}`,
        );
      const { controlRequest } = await import('../../adapters/system/control-server.ts');
      try {
        const status = (await controlRequest(socketPath, 'status', 5000)) as {
          instances: Array<{ name: string; state: string }>;
        };
        return status.instances.find((i) => i.name === instance)?.state;
      } catch {
        return undefined;
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited(child), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
