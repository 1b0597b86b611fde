/** Reading what a daemon under test wrote to a FIFO (keepalived's notify_fifo, floatip's). */
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** Everything queued in the FIFO at `path` while a writer holds it open: opened non-blocking, read once. */
export function drainFifo(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(65536);
    let out = '';
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buf);
      } catch {
        break;
      }
      if (n <= 0) break;
      out += buf.subarray(0, n).toString();
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
