/** Zips an artifact directory with fflate: world-readable files, fixed timestamps (same input, same zip). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** Unix mode in the zip's external attributes: Lambda and Azure need files readable by their runtime user. */
const fileAttrs = (0o100644 << 16) >>> 0;
const fixedTime = new Date('2026-01-01T00:00:00Z');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}

/** The zip's bytes: every file under `dir`, at its path relative to `dir` (no top-level folder). */
export function zipDirectory(dir: string): Uint8Array {
  const files: Zippable = {};
  for (const file of walk(dir))
    files[relative(dir, file)] = [
      readFileSync(file),
      { attrs: fileAttrs, os: 3, mtime: fixedTime, level: 9 },
    ];
  return zipSync(files);
}
