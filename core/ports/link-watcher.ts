/**
 * LinkWatcher: tells the core when a network interface goes up or down (keepalived's track_interface and
 * the FAULT state of an instance whose own interface is down).
 *
 * @example
 * const stop = links.watch((name, up) => feed({ kind: 'tracker', id: `interface:${name}`, up }));
 */
export interface LinkWatcher {
  /**
   * Calls `onChange` once per known interface with its current state, then on every change.
   * Returns a function that stops the calls.
   */
  watch(onChange: (interfaceName: string, up: boolean) => void): () => void;
  close(): void;
}
