/**
 * releaseMemory(): gives memory the agent no longer needs back to the kernel, once its start-up (config
 * parse, first data-plane apply) or a reload is done. V8 keeps the heap it grew to for those peaks until
 * its own memory reducer runs, which a busy checker (10,000 checks/s) rarely lets it do; glibc keeps freed
 * C memory (V8's compiler zones, Buffers) in its arenas. So: one full collection that also shrinks the
 * heap (V8's `gc` with flavor `last-resort`, what LowMemoryNotification does), then malloc_trim through
 * the addon. Figures: bench/checker/rss.bench.ts; test/adapters/onprem/memory.test.ts proves the heap
 * shrinks.
 */
import { addon } from './native/index.ts';

// node:v8 and node:vm are loaded by the first release, not with this module: a VRRP-only agent, which
// only trims (trimMemory), never loads them (about 0.45 MB; test/functions/agent/agent-modules.test.ts).
const v8 = () => process.getBuiltinModule('node:v8');

type Gc = (options?: { type?: 'major'; execution?: 'sync'; flavor?: 'regular' | 'last-resort' }) => void;
let gc: Gc | undefined;

/** V8's `gc` function: the one --expose-gc gave, else exposed now (a new context carries it). */
function gcFunction(): Gc {
  const given = (globalThis as { gc?: Gc }).gc;
  if (given) return given;
  v8().setFlagsFromString('--expose-gc');
  return process.getBuiltinModule('node:vm').runInNewContext('gc') as Gc;
}

export interface Released {
  /** V8's committed heap before and after, bytes. */
  heapBefore: number;
  heapAfter: number;
  /** malloc_trim gave memory back (false without glibc or without the addon). */
  trimmed: boolean;
}

export function releaseMemory(): Released {
  const heapBefore = v8().getHeapStatistics().total_heap_size;
  gc ??= gcFunction();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const heapAfter = v8().getHeapStatistics().total_heap_size;
  return { heapBefore, heapAfter, trimmed: trimMemory() };
}

/**
 * glibc's part alone (malloc_trim through the addon): freed C memory back to the kernel, V8's heap left as
 * it is sized. False without glibc or without the addon.
 */
export function trimMemory(): boolean {
  try {
    return addon().mallocTrim();
  } catch {
    return false; // no addon
  }
}
