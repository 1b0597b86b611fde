/**
 * What the platform's build does with the artifact's package.json (`npm install` of its dependencies),
 * done offline: each dependency and everything it needs, copied from the repository's node_modules at the
 * same relative paths (so resolution sees the same tree npm made). Only what package.json names gets in.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

const repoModules = join(import.meta.dirname, '..', '..', '..', 'node_modules');

/** Node's lookup: `name` in the node_modules folder of `fromDir` and of each folder above it. */
function resolvePackage(name: string, fromDir: string): string {
  const root = dirname(repoModules);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root || dir === dirname(dir)) break;
  }
  throw new Error(`cannot find ${name} (needed from ${fromDir}) in node_modules`);
}

/** Copies the production closure of `appDir`'s package.json dependencies into `appDir/node_modules`. */
export function installDependencies(appDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const seen = new Set<string>();
  const queue = Object.keys(pkg.dependencies ?? {}).map((n) => resolvePackage(n, dirname(repoModules)));
  while (queue.length > 0) {
    const dir = queue.pop() ?? '';
    if (seen.has(dir)) continue;
    seen.add(dir);
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(p.dependencies ?? {})) queue.push(resolvePackage(dep, dir));
    for (const dep of Object.keys(p.optionalDependencies ?? {}))
      try {
        queue.push(resolvePackage(dep, dir));
      } catch {
        // an optional dependency npm did not install (another platform's binary)
      }
  }
  const copied = [...seen].map((dir) => relative(repoModules, dir));
  for (const rel of copied)
    cpSync(join(repoModules, rel), join(appDir, 'node_modules', rel), {
      recursive: true,
      // nested node_modules are copied as packages of their own when needed
      filter: (src) => !relative(join(repoModules, rel), src).includes('node_modules'),
    });
  return copied;
}
