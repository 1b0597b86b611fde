/** A child process spoken to in JSON lines (one request line in, one answer line out), killed after the test. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';

export interface LineChild {
  ask(value: unknown): Promise<unknown>;
  /** The next line the child writes, without sending one. */
  read(): Promise<unknown>;
  stderr(): string;
}

export function lineChild(
  t: TestContext,
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv },
): LineChild {
  const child = spawn(process.execPath, args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const waiting: ((line: string) => void)[] = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w(JSON.stringify({ ok: false, error: `exited ${code}: ${err}` }));
  });
  t.after(async () => {
    child.stdin.end();
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const read = (): Promise<unknown> => {
    const next = lines.shift();
    const line = next !== undefined ? Promise.resolve(next) : new Promise<string>((r) => waiting.push(r));
    return line.then((l) => JSON.parse(l) as unknown);
  };
  return {
    ask(value) {
      child.stdin.write(`${JSON.stringify(value)}\n`);
      return read();
    },
    read,
    stderr: () => err,
  };
}
