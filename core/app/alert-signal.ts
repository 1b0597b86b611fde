import type { AlertMapping, ControlPlaneConfig } from '../config/control-plane.ts';
import { findGroup } from './control-deps.ts';

/**
 * One alert, whatever system sent it: each webhook codec (Alertmanager, SNS, Azure Monitor, GCP, HMAC hook)
 * decodes its payload into these.
 */
export interface AlertSignal {
  /** `alertmanager`, `sns`, `azure-monitor`, `gcp-monitoring`, `hook`. */
  source: string;
  /** Stable id of the incident: every retry and duplicate of one incident carries the same one. */
  incident: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  summary: string;
  /** Where in the request body the alert was, for error messages (`alerts[2]`). */
  path: string;
}

export type AlertTarget = { group: string; member: string | null };

/** A label's value: own properties only, so `constructor` or `__proto__` never reach Object.prototype. */
const label = (labels: Record<string, string>, name: string): string | undefined =>
  Object.hasOwn(labels, name) ? labels[name] : undefined;

const matches = (m: AlertMapping, labels: Record<string, string>): boolean =>
  Object.entries(m.match).every(([k, v]) => label(labels, k) === v);

/**
 * Maps an alert to the group (and member) it is about, by the first configured mapping whose `match`
 * labels all agree. `null`: no mapping is about this alert (it is ignored). `error` names the field.
 */
export function resolveAlert(
  config: ControlPlaneConfig,
  alert: AlertSignal,
): AlertTarget | null | { error: string } {
  const m = config.alerts.find((x) => matches(x, alert.labels));
  if (!m) return null;
  const groupId = m.group ?? (m.groupLabel === undefined ? undefined : label(alert.labels, m.groupLabel));
  const where = m.group === undefined ? `${alert.path}.labels.${m.groupLabel}` : `${alert.path}`;
  if (groupId === undefined || groupId === '') return { error: `${where}: missing (names the group)` };
  const group = findGroup(config, groupId);
  if (!group) return { error: `${where}: unknown group '${groupId}'` };
  if (m.memberLabel === undefined) return { group: group.id, member: null };
  const raw = label(alert.labels, m.memberLabel);
  if (raw === undefined || raw === '')
    return { error: `${alert.path}.labels.${m.memberLabel}: missing (names the member)` };
  const member = (m.memberMap && label(m.memberMap, raw)) ?? raw;
  if (!group.members.some((x) => x.id === member))
    return { error: `${alert.path}.labels.${m.memberLabel}: group '${group.id}' has no member '${member}'` };
  return { group: group.id, member };
}
