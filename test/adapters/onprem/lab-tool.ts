/** Runs lab-scripts/onprem-tool.ts in a lab node and parses its JSON lines. */
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Lab } from '../../helpers/netns.ts';

export const toolPath = fileURLToPath(new URL('./lab-scripts/onprem-tool.ts', import.meta.url));
export const nodeBin = process.execPath;

export function tool(lab: Lab, node: string, args: string[]): unknown[] {
  const out = lab.exec(node, [nodeBin, toolPath, ...args], { allowFail: false });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
}

/** Starts a receiver and resolves once it reports it is listening; `done` resolves with all its lines. */
export async function startReceiver(
  lab: Lab,
  node: string,
  args: string[],
): Promise<{ child: ChildProcess; done: Promise<Record<string, unknown>[]> }> {
  const child = lab.spawn(node, [nodeBin, toolPath, 'recv', ...args]);
  let buf = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const lines: Record<string, unknown>[] = [];
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((r) => (readyResolve = r));
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      if (line['ready']) readyResolve();
      else lines.push(line);
    }
  });
  const done = new Promise<Record<string, unknown>[]>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(lines) : reject(new Error(`receiver failed: ${err}`)),
    ),
  );
  await Promise.race([ready, done]);
  return { child, done };
}
