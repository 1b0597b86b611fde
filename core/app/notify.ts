/**
 * Notify hooks with keepalived's arguments and formats, but never racing (keepalived's vrrp/vrrp_notify.c
 * starts each script without waiting for the previous one):
 * every hook of every state change runs in one queue, each awaited (with a timeout) before the next starts.
 * This file decides what runs for which state (pure); adapters/system/notifier.ts runs it.
 *
 * Per state change, in keepalived's order: `notify_<state>` script, then `notify` script with
 * `INSTANCE|GROUP <name> <STATE> <priority>` appended, then the FIFO line `INSTANCE "<name>" <STATE> <prio>`.
 */
import type { StateChange, StateNotifier } from '../ports/index.ts';
import type { NotifyHookSet } from './vrrp-plan.ts';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED' | (string & {});

export interface ScriptSpec {
  argv: string[];
  /** Run as this uid/gid (supplementary groups dropped); absent = the agent's own user. */
  ids?: { uid: number; gid: number };
}

export interface NotifyHooks {
  notify?: ScriptSpec;
  notifyMaster?: ScriptSpec;
  notifyBackup?: ScriptSpec;
  notifyFault?: ScriptSpec;
  notifyStop?: ScriptSpec;
  notifyMasterRxLowerPri?: ScriptSpec;
  /** `notify_deleted CMD`: the DELETED state's own script (keepalived runs no notify_fault then). */
  notifyDeleted?: ScriptSpec;
}

/**
 * The hooks of instances and groups a reload removes, as their removal notifies run them (keepalived
 * clear_diff_vrrp): notify_deleted's CMD with DELETED, and only `notify` and the FIFO with FAULT;
 * keepalived picks the state's own script before turning DELETED into FAULT, so notify_fault never runs.
 */
export function removedHooks(
  before: Record<string, NotifyHookSet>,
  after: Record<string, NotifyHookSet>,
): Record<string, NotifyHookSet> {
  const out: Record<string, NotifyHookSet> = {};
  for (const [key, h] of Object.entries(before)) {
    if (key in after) continue;
    const { notifyFault: _ignored, ...rest } = h;
    out[key] = rest;
  }
  return out;
}

export interface NotifyEvent {
  kind: 'INSTANCE' | 'GROUP';
  name: string;
  state: NotifyState;
  priority: number;
  hooks: NotifyHooks;
}

/** keepalived's FIFO line: `INSTANCE "VI_1" MASTER 150`. */
export function fifoLine(e: Pick<NotifyEvent, 'kind' | 'name' | 'state' | 'priority'>): string {
  return `${e.kind} "${e.name}" ${e.state} ${e.priority}\n`;
}

/** keepalived's generic-notify argv: the script's own argv then `INSTANCE VI_1 MASTER 150`. */
export function notifyArgv(script: ScriptSpec, e: NotifyEvent): string[] {
  return [...script.argv, e.kind, e.name, e.state, String(e.kind === 'GROUP' ? 0 : e.priority)];
}

/** Each state's own script (keepalived's notify_<state>). */
const ownScript = new Map<string, keyof NotifyHooks>([
  ['MASTER', 'notifyMaster'],
  ['BACKUP', 'notifyBackup'],
  ['FAULT', 'notifyFault'],
  ['DELETED', 'notifyDeleted'],
  ['STOP', 'notifyStop'],
  ['MASTER_RX_LOWER_PRI', 'notifyMasterRxLowerPri'],
]);

export function stateScript(e: NotifyEvent): ScriptSpec | undefined {
  const key = ownScript.get(e.state);
  return key === undefined ? undefined : e.hooks[key];
}

/** Hooks of an instance or group, looked up by `instance:NAME` / `group:NAME` at delivery time. */
export type HookLookup = (key: string) => NotifyHooks | undefined;

const states: readonly string[] = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED'];

/** Runs the hooks of one state change after every earlier one (adapters/system/notifier.ts's Notifier). */
export interface NotifyQueue {
  /** Queues the hooks of one state change; resolves when they (and all earlier ones) have finished. */
  notify(e: NotifyEvent): Promise<void>;
  /** Resolves when everything queued so far has run. */
  idle(): Promise<void>;
}

/** The StateNotifier port over a {@link NotifyQueue}: scripts for state changes, FIFO lines for every event. */
export function stateNotifier(notifier: NotifyQueue, hooks: HookLookup): StateNotifier {
  return {
    notify(change: StateChange) {
      const kind = change.target.type === 'group' ? 'GROUP' : 'INSTANCE';
      const h = hooks(`${change.target.type}:${change.target.name}`) ?? {};
      void notifier.notify({
        kind,
        name: change.target.name,
        state: change.what as NotifyState,
        priority: change.priority,
        // State changes run notify_<state> and notify; MASTER_RX_LOWER_PRI runs only its own script (as
        // keepalived does); other events (priority changes) only reach the FIFOs.
        hooks: states.includes(change.what)
          ? h
          : change.what === 'MASTER_RX_LOWER_PRI' && h.notifyMasterRxLowerPri
            ? { notifyMasterRxLowerPri: h.notifyMasterRxLowerPri }
            : {},
      });
    },
    idle: () => notifier.idle(),
  };
}
