/**
 * What the reducer asks the shell to do, as plain data. The shell executes effects in array order.
 * Timers are data too: `arm-timer` (re)schedules the timer with that id (replacing any earlier one),
 * `cancel-timer` drops it; when it fires the shell feeds back `{ kind: 'timer', ... }`.
 */
import type { VrrpAdvert } from '../codec/advert.ts';
import type { IpFamily } from '../codec/ip-address.ts';
import type { RejectReason } from '../codec/reject-reason.ts';

export type TimerKind = 'master-down' | 'advert' | 'garp-delayed' | 'garp-refresh' | 'garp-extra-if';

export type NotifyWhat =
  | 'MASTER'
  | 'BACKUP'
  | 'FAULT'
  | 'STOP'
  | 'DELETED'
  | 'MASTER_RX_LOWER_PRI'
  | 'MASTER_PRIORITY'
  | 'BACKUP_PRIORITY';

export type GarpReason =
  | 'become-master'
  | 'master-delayed'
  | 'refresh'
  | 'lower-prio'
  | 'lower-prio-delayed'
  | 'reannounce'
  | 'extra-if'
  | 'unicast-source';

/** Things worth a metric or a status line; never change state by themselves. */
export type VrrpReport =
  /** Another router advertised as master for our VRID while we were master (split brain healing). */
  | {
      readonly kind: 'competing-master';
      readonly from: string;
      readonly theirPriority: number;
      readonly ourPriority: number;
      readonly outcome: 'we-stay' | 'we-yield';
    }
  /** The sender's address list differs from ours but overlaps (RFC 9568: advisory, not a discard). */
  | {
      readonly kind: 'address-mismatch';
      readonly from: string;
      readonly theirs: readonly string[];
      readonly ours: readonly string[];
    }
  /** The sender shares no address with us: most likely another cluster using the same VRID. */
  | { readonly kind: 'vrid-collision'; readonly from: string; readonly theirs: readonly string[] }
  /** A unicast advert from an address that is not one of our peers. */
  | { readonly kind: 'foreign-sender'; readonly from: string }
  /** v3 sender advertises a different interval than ours (allowed; the backup adopts it). */
  | {
      readonly kind: 'interval-mismatch';
      readonly from: string;
      readonly theirsMs: number;
      readonly oursMs: number;
    }
  /** First packet from this sender refused for this reason (later ones are only counted). */
  | { readonly kind: 'rejected'; readonly from: string; readonly reason: RejectReason }
  /**
   * A timer fired more than half an advert interval after it was due: the node is starved (VM steal, load),
   * the cause of spurious failovers keepalived logs as "thread timer expired" (reference §6 P7).
   */
  | { readonly kind: 'timer-late'; readonly timer: TimerKind; readonly lateMs: number }
  /** An advert for a VRID no instance runs (router level). */
  | { readonly kind: 'unknown-vrid'; readonly from: string; readonly vrid: number };

export type VrrpEffect =
  | {
      readonly kind: 'arm-timer';
      readonly id: string;
      readonly instance: string;
      readonly timer: TimerKind;
      readonly atMs: number;
    }
  | {
      readonly kind: 'cancel-timer';
      readonly id: string;
      readonly instance: string;
      readonly timer: TimerKind;
    }
  /** Encode `advert` (codec encodeAdvert) and send it to the multicast group or every unicast peer. */
  | {
      readonly kind: 'send-advert';
      readonly instance: string;
      readonly family: IpFamily;
      readonly advert: VrrpAdvert;
      /** auth_type AH: the AH Sequence Number for this advert (the same for every unicast peer). */
      readonly ahSeq?: number;
    }
  | { readonly kind: 'add-vips'; readonly instance: string; readonly addresses: readonly string[] }
  | { readonly kind: 'remove-vips'; readonly instance: string; readonly addresses: readonly string[] }
  /** Gratuitous ARP (IPv4) / unsolicited NA (IPv6) for each address, `repeat` times, `intervalMs` apart. */
  | {
      readonly kind: 'send-garp';
      readonly instance: string;
      readonly addresses: readonly string[];
      readonly repeat: number;
      readonly intervalMs: number;
      readonly reason: GarpReason;
    }
  /**
   * Run notify hooks / write FIFO lines. `seq` grows by one per notify; the shell runs them in `seq` order,
   * each awaited, so MASTER and BACKUP handlers never race (reference §6 P3).
   */
  | {
      readonly kind: 'notify';
      readonly seq: number;
      readonly target: { readonly type: 'instance' | 'group'; readonly name: string };
      readonly what: NotifyWhat;
      readonly priority: number;
      readonly reason?: string;
    }
  | { readonly kind: 'report'; readonly instance: string; readonly report: VrrpReport };

/** The timer id the shell keys timers by. */
export const timerId = (instance: string, timer: TimerKind): string => `${instance}/${timer}`;

export const TIMER_KINDS: readonly TimerKind[] = [
  'master-down',
  'advert',
  'garp-delayed',
  'garp-refresh',
  'garp-extra-if',
];

/** Split a timer id back into instance and timer; undefined if it is not one of ours. */
export function parseTimerId(id: string): { instance: string; timer: TimerKind } | undefined {
  const cut = id.lastIndexOf('/');
  const timer = TIMER_KINDS.find((k) => k === id.slice(cut + 1));
  return cut > 0 && timer ? { instance: id.slice(0, cut), timer } : undefined;
}
