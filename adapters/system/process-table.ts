/** The ProcessTable port over /proc: comm of every process, cmdline read only for those the caller wants. */
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessEntry, ProcessTable } from '../../core/ports/index.ts';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between readdir and read
  }
}

export const procProcessTable: ProcessTable = {
  list(want) {
    const out: ProcessEntry[] = [];
    for (const pid of readdirSync('/proc')) {
      const c0 = pid.charCodeAt(0);
      if (c0 < 48 || c0 > 57) continue;
      const comm = readText(`/proc/${pid}/comm`)?.replace(/\n$/, '');
      if (comm === undefined || !want(comm)) continue;
      const argv = (readText(`/proc/${pid}/cmdline`) ?? '').split('\0');
      if (argv.at(-1) === '') argv.pop();
      out.push({ comm, argv });
    }
    return out;
  },
};
