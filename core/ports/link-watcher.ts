/**
 * LinkWatcher: tells the core when a network interface goes up or down (keepalived's track_interface and
 * the FAULT state of an instance whose own interface is down), and when it is deleted (a use_vmac link
 * deleted under an instance is made again, as keepalived does).
 *
 * @example
 * const stop = links.watch((name, up) => feed({ kind: 'tracker', id: `interface:${name}`, up }));
 */
export interface LinkWatcher {
  /**
   * Calls `onChange` once per known interface with its current state, then on every change; `removed` is
   * true when the interface was deleted (then `up` is false). Returns a function that stops the calls.
   */
  watch(onChange: (interfaceName: string, up: boolean, removed: boolean) => void): () => void;
  close(): void;
}
