/**
 * The built cloud-function artifacts for tests: builds dist/functions when it is missing or older than a
 * source file it was built from (one build at a time across test processes), and unpacks an artifact's
 * zip into a clean directory outside the repository, where no node_modules can be reached.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { unzipSync } from 'fflate';
import { artifactInputs, buildFunctions, defaultOutDir, repoRoot } from '../../scripts/functions/build.ts';
import { targets, type TargetName } from '../../scripts/functions/targets.ts';

const mtime = (p: string): number => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

/** The build itself: a change to the build scripts or the lockfile also makes the artifacts stale. */
const buildFiles = (): string[] => [
  'package-lock.json',
  ...readdirSync(join(repoRoot, 'scripts', 'functions')).map((f) => join('scripts', 'functions', f)),
];

function stale(): boolean {
  return targets.some((t) => {
    const built = mtime(join(defaultOutDir, `${t.name}.zip`));
    if (built === Number.POSITIVE_INFINITY) return true;
    try {
      return [...artifactInputs(t.name), ...buildFiles()].some((f) => mtime(join(repoRoot, f)) > built);
    } catch {
      return true;
    }
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Builds the artifacts unless they are current; concurrent test files wait for one build. */
export async function ensureArtifacts(): Promise<void> {
  const lock = join(dirname(defaultOutDir), '.functions-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    if (!stale()) return;
    try {
      mkdirSync(lock);
    } catch {
      const owner = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || '0');
      if (owner > 0 && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (stale()) await buildFunctions();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A fresh directory outside the repository, removed after the test (pass or fail). */
export function cleanDir(t: TestContext, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `floatip-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Unpacks `<target>.zip` into `dir` as the platform would; returns the file names it held. */
export function unpackArtifact(target: TargetName, dir: string): string[] {
  const files = unzipSync(readFileSync(join(defaultOutDir, `${target}.zip`)));
  for (const [name, bytes] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  return Object.keys(files);
}
