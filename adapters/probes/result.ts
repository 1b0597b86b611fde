// Shared helpers for probes: a settle-once result with the elapsed time, and error text.
import type { ProbeResult } from '../../core/ports/index.ts';

/** Calls `done` exactly once; later calls are ignored. Every probe settles through one of these. */
export function settleOnce(start: number, done: (r: ProbeResult) => void) {
  let settled = false;
  return {
    get settled(): boolean {
      return settled;
    },
    finish(ok: boolean, detail: string, code?: number): void {
      if (settled) return;
      settled = true;
      const r: ProbeResult = { ok, detail, durationMs: performance.now() - start };
      if (code !== undefined) r.code = code;
      done(r);
    },
  };
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export const target = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
