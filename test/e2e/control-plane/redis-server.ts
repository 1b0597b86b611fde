/** A private redis-server on a random loopback port with AOF on disk, so it can be stopped and restarted. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.setTimeout(300);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGKILL: an abrupt stop; AOF with fsync always keeps every acknowledged write. */
  kill(): Promise<void>;
  dispose(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'floatip-redis-'));
  const port = 6390 + Math.floor(Math.random() * 2000);
  let child: ChildProcess | null = null;
  const r: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
        ],
        { stdio: 'ignore' },
      );
      child.once('error', () => undefined);
      for (let i = 0; i < 100; i++) {
        if (await answers(port)) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`redis-server did not answer on 127.0.0.1:${port} (is redis-server installed?)`);
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((res) => c.once('exit', res));
      c.kill('SIGKILL');
      await gone;
      child = null;
    },
    async dispose() {
      await r.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return r;
}
