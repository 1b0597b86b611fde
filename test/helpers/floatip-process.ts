/**
 * floatip as a separate process (bin/floatip.mjs on the project's Node), and the example control-plane
 * config copied to a temporary directory with its own Redis prefix, as the demo and banner tests use them.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPrefix, redisUrl } from '../e2e/control-plane/fixture.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** Runs `floatip ...args` to its exit (killed after 60 s), capturing its output. */
export function runFloatip(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      join(repoRoot, 'node_modules', '.bin', 'node'),
      [join(repoRoot, 'bin', 'floatip.mjs'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

/** `floatip control-plane --demo --exit-after-demo` on `cfg`, on a free port. */
export const runDemo = (cfg: string) =>
  runFloatip(['control-plane', '--config', cfg, '--port', '0', '--demo', '--exit-after-demo']);

export interface ExampleControl {
  /** The temporary directory, with the config in it as control.yaml. */
  dir: string;
  cfg: string;
  /** The Redis key prefix the copy uses instead of the example's. */
  prefix: string;
  /** The example config's text as shipped. */
  example: string;
  /** Deletes the directory and every Redis key under the prefix. */
  remove(): Promise<void>;
}

/**
 * examples/floatip.control.yaml copied to a new directory (named after `name`), on a fresh prefix
 * `t-NAME-…` and on `url` (the test Redis by default). The caller registers `remove`.
 */
export async function exampleControl(name: string, url: string = redisUrl): Promise<ExampleControl> {
  const dir = await mkdtemp(join(tmpdir(), `floatip-${name}-`));
  const prefix = `t-${name}-${randomUUID().slice(0, 8)}`;
  const example = await readFile(join(repoRoot, 'examples', 'floatip.control.yaml'), 'utf8');
  const cfg = join(dir, 'control.yaml');
  await writeFile(
    cfg,
    example
      .replace('prefix: floatip-demo', `prefix: ${prefix}`)
      .replace('url: redis://127.0.0.1:6379', `url: ${url}`),
  );
  return {
    dir,
    cfg,
    prefix,
    example,
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      await dropPrefix(redisUrl, prefix);
    },
  };
}
