import { addon, intOpt, type ReceivedMessage } from './index.ts';

/** Copies a socket absorbed, and when the last came (ms after absorbing began). */
export interface AbsorbProgress {
  copies: number;
  lastAfterMs: number;
}

/** How far a repeat got: datagrams sent, when the last went out (ms after the start), sends refused. */
export interface RepeatProgress {
  sent: number;
  lastAfterMs: number;
  failed: number;
}

/** Options for {@link NativeSocket.onMessage}. */
export interface ReceiveOptions {
  /** Largest datagram accepted (bytes). */
  maxData: number;
  /** Room for ancillary data (bytes); 0 when none is wanted. */
  maxControl: number;
  /**
   * Datagrams read per readiness event (default: until none is queued). The poll is level-triggered, so
   * what is left is read on the next loop turn; 1 saves the empty read that ends each drain, which is
   * most of the reads when one datagram arrives per wake-up (a VRRP backup at 10 ms adverts).
   */
  maxPerEvent?: number;
}

/**
 * A non-blocking kernel socket owned by JavaScript. Readiness comes from a libuv poll handle on the Node
 * event loop; every queued datagram is drained and handed to the handler, so receiving never blocks.
 */
export class NativeSocket {
  readonly fd: number;
  #poll: object | undefined;
  #closed = false;

  private constructor(fd: number) {
    this.fd = fd;
  }

  static open(domain: number, type: number, protocol: number): NativeSocket {
    return new NativeSocket(addon().socket(domain, type, protocol));
  }

  setInt(level: number, name: number, value: number): void {
    addon().setsockopt(this.fd, level, name, intOpt(value));
  }

  setBytes(level: number, name: number, value: Uint8Array): void {
    addon().setsockopt(this.fd, level, name, value);
  }

  getBytes(level: number, name: number, size: number): Uint8Array {
    return addon().getsockopt(this.fd, level, name, size);
  }

  bind(sockaddr: Uint8Array): void {
    addon().bind(this.fd, sockaddr);
  }

  /** Sends one datagram; returns false when the send buffer is full (EAGAIN), throws on real errors. */
  send(data: Uint8Array, sockaddr: Uint8Array | null = null, control: Uint8Array | null = null): boolean {
    return addon().sendmsg(this.fd, data, sockaddr, control) >= 0;
  }

  /**
   * Sends `data` to `sockaddr` from a thread of the addon, first in `firstInMs` then every `intervalMs`,
   * with no JavaScript per send (src/repeat.c), until the result's stop(). An IPv4 header in `data` gets the next
   * IP Identification and checksum each time.
   */
  repeat(
    data: Uint8Array,
    sockaddr: Uint8Array,
    firstInMs: number,
    intervalMs: number,
  ): { progress(): RepeatProgress; stop(): RepeatProgress } {
    const a = addon();
    const handle = a.repeatStart(this.fd, data, sockaddr, firstInMs, intervalMs);
    const read = (p: Float64Array): RepeatProgress => ({
      sent: p[0] ?? 0,
      lastAfterMs: p[1] ?? 0,
      failed: p[2] ?? 0,
    });
    let final: RepeatProgress | undefined;
    return {
      progress: () => final ?? read(a.repeatProgress(handle)),
      stop: () => (final ??= read(a.repeatStop(handle))),
    };
  }

  /**
   * From now on the addon reads and counts copies of `template` itself (an IPv4 header's Identification
   * and checksum aside) instead of handing them to the onMessage handler, which still gets every other
   * datagram; `onDeadline` runs when no copy came for `deadlineMs`. Until the result's stop(). Needs
   * onMessage first.
   */
  absorb(
    template: Uint8Array,
    deadlineMs: number,
    onDeadline: () => void,
  ): { progress(): AbsorbProgress; stop(): AbsorbProgress } {
    const poll = this.#poll;
    if (!poll) throw new Error(`socket ${this.fd} has no receive handler to absorb for`);
    const a = addon();
    a.absorbStart(poll, template, deadlineMs, onDeadline);
    const read = (p: Float64Array): AbsorbProgress => ({ copies: p[0] ?? 0, lastAfterMs: p[1] ?? 0 });
    let final: AbsorbProgress | undefined;
    return {
      progress: () => final ?? (this.#closed ? { copies: 0, lastAfterMs: 0 } : read(a.absorbProgress(poll))),
      stop: () => (final ??= this.#closed ? { copies: 0, lastAfterMs: 0 } : read(a.absorbStop(poll))),
    };
  }

  /** Reads one queued datagram, or null when none is queued. */
  receive(options: ReceiveOptions): ReceivedMessage | null {
    return addon().recvmsg(this.fd, options.maxData, options.maxControl);
  }

  /** Calls `handler` for every datagram as it arrives, until close(). One handler per socket. */
  onMessage(
    options: ReceiveOptions,
    handler: (message: ReceivedMessage) => void,
    onError?: (e: Error) => void,
  ) {
    if (this.#poll) throw new Error(`socket ${this.fd} already has a receive handler`);
    const max = options.maxPerEvent ?? Infinity;
    this.#poll = addon().pollStart(this.fd, (_status, read) => {
      // Read by the addon while it absorbed copies of a datagram (absorb): this one differs.
      if (read) {
        if (!this.#closed) handler(read);
        return;
      }
      for (let n = 0; n < max; n++) {
        if (this.#closed) return;
        let message: ReceivedMessage | null;
        try {
          message = addon().recvmsg(this.fd, options.maxData, options.maxControl);
        } catch (e) {
          if (onError) onError(e as Error);
          else throw e;
          return;
        }
        if (!message) return;
        handler(message);
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poll) addon().pollStop(this.#poll);
    this.#poll = undefined;
    addon().close(this.fd);
  }
}

/** The kernel's index of interface `name`; throws a clear error when it does not exist. */
export function interfaceIndex(name: string): number {
  const index = addon().ifNameToIndex(name);
  if (!index) throw new Error(`no network interface named "${name}"`);
  return index;
}
