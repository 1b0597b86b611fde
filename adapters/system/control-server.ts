/**
 * The agent's local control socket (a unix stream socket): one JSON request per line, one JSON reply per
 * line. `floatip status` asks {"op":"status"}. Only local processes that can open the path can talk to it
 * (created 0660 in a root-owned directory).
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, createConnection, type Server } from 'node:net';
import { dirname } from 'node:path';

export const defaultControlSocket = '/run/floatip/agent.sock';

/** Answers one request; may be async (the LVS table is read from the data plane when asked). */
export type ControlHandler = (request: { op: string }) => unknown;

export function startControlServer(path: string, handle: ControlHandler): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const server = createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        answer(handle, line).then(
          (reply) => conn.write(JSON.stringify(reply) + '\n'),
          () => undefined,
        );
      }
    });
    conn.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      chmodSync(path, 0o660);
      resolve(server);
    });
  });
}

async function answer(handle: ControlHandler, line: string): Promise<unknown> {
  try {
    const req = JSON.parse(line) as { op?: unknown };
    if (typeof req.op !== 'string') return { ok: false, error: 'no op' };
    return { ok: true, result: await handle({ op: req.op }) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Sends one request to the agent and returns its `result`; errors say whether an agent is running. */
export function controlRequest(path: string, op: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`the agent at ${path} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify({ op }) + '\n'));
    conn.on('data', (chunk: string) => {
      buf += chunk;
      const i = buf.indexOf('\n');
      if (i < 0) return;
      clearTimeout(timer);
      conn.end();
      const reply = JSON.parse(buf.slice(0, i)) as { ok: boolean; result?: unknown; error?: string };
      if (reply.ok) resolve(reply.result);
      else reject(new Error(`agent refused "${op}": ${reply.error ?? 'unknown error'}`));
    });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
            ? `no floatip agent is listening on ${path} (is it running? --socket PATH)`
            : `cannot reach the agent on ${path}: ${e.message}`,
        ),
      );
    });
  });
}
