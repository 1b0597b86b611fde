/**
 * keepalived.conf trackers -> the engine's TrackerSpec list for one instance (reference §1.2-§1.4):
 * the VRRP interface itself (unless dont_track_primary), track_interface, track_script (weight and reverse
 * default to the vrrp_script's), track_file (weight 1 by default), track_process, track_bfd, and the
 * trackers of the instance's sync group. keepalived drops weighted trackers of an owner (priority 255) and,
 * without sync_group_tracking_weight, of sync-group members (#2105); so does this, with a warning each.
 */
import type { Config, TrackRef } from '../../model/index.ts';
import type { TrackerKind, TrackerSpec } from '../fsm/spec.ts';

export interface TrackerMapping {
  trackers: TrackerSpec[];
  warnings: string[];
  errors: string[];
}

/** The id a tracker event names: `${kind}:${name}`, e.g. `script:chk_nginx`. */
export const trackerId = (kind: TrackerKind, name: string): string => `${kind}:${name}`;

/** Kind and object name of a tracker id. */
export function parseTrackerId(id: string): { kind: TrackerKind; name: string } | undefined {
  const cut = id.indexOf(':');
  const kind = id.slice(0, cut);
  const kinds: readonly TrackerKind[] = ['interface', 'script', 'file', 'process', 'bfd'];
  const k = kinds.find((x) => x === kind);
  return cut > 0 && k ? { kind: k, name: id.slice(cut + 1) } : undefined;
}

export function trackersForInstance(config: Config, instanceName: string): TrackerMapping {
  const inst = config.vrrpInstances[instanceName];
  const out: TrackerMapping = { trackers: [], warnings: [], errors: [] };
  if (!inst) {
    out.errors.push(`vrrp_instance ${instanceName} does not exist`);
    return out;
  }
  const at = `vrrp_instance ${instanceName}`;
  const groupEntry = Object.entries(config.vrrpSyncGroups).find(([, g]) => g.group.includes(instanceName));
  // The implicit tracker of the instance's own interface yields to an explicit track_interface entry for it
  // (keepalived adds the primary interface only when the config does not track it already).
  let implicitPrimary: string | undefined;
  const add = (t: TrackerSpec, where: string): void => {
    const idx = out.trackers.findIndex((x) => x.id === t.id);
    const replacesImplicit = idx >= 0 && t.id === implicitPrimary;
    if (idx >= 0 && !replacesImplicit) {
      out.warnings.push(`${where}: ${t.id} is tracked twice; the first entry counts`);
      return;
    }
    if (replacesImplicit) implicitPrimary = undefined;
    if (t.weight !== 0 && inst.priority === 255) {
      out.warnings.push(`${where}: weighted ${t.id} is ignored for an address owner (priority 255)`);
      return;
    }
    if (t.weight !== 0 && groupEntry && !groupEntry[1].syncGroupTrackingWeight) {
      out.warnings.push(
        `${where}: weighted ${t.id} is ignored in sync group ${groupEntry[0]} without sync_group_tracking_weight`,
      );
      return;
    }
    if (replacesImplicit) out.trackers[idx] = t;
    else out.trackers.push(t);
  };

  if (inst.interface !== undefined && !inst.dontTrackPrimary) {
    add({ id: trackerId('interface', inst.interface), kind: 'interface', weight: 0 }, at);
    implicitPrimary = trackerId('interface', inst.interface);
  }

  const sources: Array<{ where: string; refs: typeof inst }> = [{ where: at, refs: inst }];
  if (groupEntry)
    sources.push({
      where: `vrrp_sync_group ${groupEntry[0]}`,
      refs: groupEntry[1] as unknown as typeof inst,
    });
  for (const { where, refs } of sources) {
    for (const i of refs.trackInterface)
      add(
        { id: trackerId('interface', i.name), kind: 'interface', weight: i.weight, reverse: i.reverse },
        where,
      );
    for (const r of refs.trackScript) {
      const script = config.vrrpScripts[r.name];
      if (!script) out.errors.push(`${where}: track_script ${r.name} is not a vrrp_script`);
      else
        add(
          {
            ...ref('script', r, script.weight, script.reverse),
            ...(script.initFail ? { initFail: true } : {}),
          },
          where,
        );
    }
    for (const r of refs.trackFile) {
      const file = config.trackFiles[r.name];
      if (!file) out.errors.push(`${where}: track_file ${r.name} is not a track_file block`);
      else add(ref('file', r, file.weight, file.reverse), where);
    }
    for (const r of refs.trackProcess) {
      const proc = config.trackProcesses[r.name];
      if (!proc) out.errors.push(`${where}: track_process ${r.name} is not a vrrp_track_process`);
      else add(ref('process', r, proc.weight, proc.reverse), where);
    }
    for (const r of refs.trackBfd) {
      const bfd = config.bfdInstances[r.name];
      if (!bfd) out.errors.push(`${where}: track_bfd ${r.name} is not a bfd_instance`);
      else add(ref('bfd', r, bfd.weight ?? 0, bfd.reverse), where);
    }
  }
  return out;
}

function ref(kind: TrackerKind, r: TrackRef, weight: number, reverse: boolean): TrackerSpec {
  return { id: trackerId(kind, r.name), kind, weight: r.weight ?? weight, reverse: r.reverse || reverse };
}
