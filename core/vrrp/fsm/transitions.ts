/**
 * The transition table: for each state, the handler of each event kind. A missing entry means the event is
 * ignored in that state (no state change, no effect). See step.ts for the diagram.
 */
import type { InstanceEvent, InstanceEventKind } from './events.ts';
import { backupMasterDown, backupRxAdvert } from './handlers-backup.ts';
import {
  onReconfigure,
  onRejected,
  onRemove,
  onShutdown,
  onStart,
  onSyncFault,
  onSyncInBackup,
  onSyncInMaster,
  onTracker,
} from './handlers-common.ts';
import { masterLostVirtual, masterRxAdvert, masterTimer } from './handlers-master.ts';
import type { VrrpStateName } from './state.ts';
import { set, type Tx } from './tx.ts';

export type Handler<K extends InstanceEventKind> = (
  tx: Tx,
  event: Extract<InstanceEvent, { kind: K }>,
) => void;

export type TransitionTable = {
  readonly [S in VrrpStateName]: { readonly [K in InstanceEventKind]?: Handler<K> };
};

export const transitions: TransitionTable = {
  INIT: {
    start: onStart,
    tracker: onTracker,
    rejected: onRejected,
    shutdown: onShutdown,
    remove: onRemove,
    reconfigure: onReconfigure,
    sync: (tx, e) => {
      if (e.action === 'fault' || e.action === 'clear-fault') set(tx, { syncFault: e.action === 'fault' });
    },
  },
  BACKUP: {
    advert: (tx, e) => backupRxAdvert(tx, e.packet),
    timer: (tx, e) => {
      if (e.timer === 'master-down') backupMasterDown(tx);
    },
    tracker: onTracker,
    rejected: onRejected,
    shutdown: onShutdown,
    remove: onRemove,
    reconfigure: onReconfigure,
    sync: onSyncInBackup,
  },
  MASTER: {
    advert: (tx, e) => masterRxAdvert(tx, e.packet),
    timer: (tx, e) => masterTimer(tx, e.timer),
    tracker: onTracker,
    rejected: onRejected,
    shutdown: onShutdown,
    remove: onRemove,
    reconfigure: onReconfigure,
    sync: onSyncInMaster,
    'lost-virtual': (tx, e) => masterLostVirtual(tx, e.what),
  },
  FAULT: {
    tracker: onTracker,
    rejected: onRejected,
    shutdown: onShutdown,
    remove: onRemove,
    reconfigure: onReconfigure,
    sync: (tx, e) => {
      onSyncFault(tx, e);
    },
  },
  STOP: {},
};
