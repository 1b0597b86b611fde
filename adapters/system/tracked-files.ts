/** The TrackedFiles port on the file system: reads, writes, and inotify (fs.watch) on the file's directory. */
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TrackedFiles } from '../../core/ports/index.ts';

export const fsTrackedFiles: TrackedFiles = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  exists: (path) => existsSync(path),
  write: (path, text) => writeFileSync(path, text),
  watch(path, onChange) {
    const base = basename(path);
    const w = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === base) onChange();
    });
    w.on('error', () => w.close());
    return () => w.close();
  },
};
