// BFD_CHECK: passes while the named bfd_instance session is Up. The sessions live in the agent's BFD
// side; the probe only reads their state through the lookup the composition root hands in.
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';

export type BfdRequest = Extract<ProbeRequest, { kind: 'bfd' }>;

/** Session `name` is Up (true), not Up (false) or unknown (undefined). */
export type BfdStateLookup = (name: string) => boolean | undefined;

export function bfdProbe(req: BfdRequest, lookup: BfdStateLookup | undefined): Promise<ProbeResult> {
  const up = lookup?.(req.name);
  const detail =
    up === undefined
      ? `BFD_CHECK ${req.name}: no such BFD session is running`
      : `BFD_CHECK ${req.name}: session ${up ? 'Up' : 'not Up'}`;
  return Promise.resolve({ ok: up === true, detail, durationMs: 0 });
}
