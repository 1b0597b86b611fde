/**
 * core/vrrp: VRRP (RFC 3768 v2, RFC 5798/9568 v3) as pure code.
 *
 * - codec/: encode/decode adverts over Uint8Array, checksums, typed reject reasons and stats.
 * - fsm/: one instance's reducer `step(state, event, now) -> { state, effects }`, timers as data.
 * - router/: all instances of a node behind one reducer, with packet demux and sync groups (what the agent drives).
 * - from-config/: keepalived.conf model (core/model) -> engine inputs (trackers).
 */
export * from './codec/index.ts';
export * from './fsm/index.ts';
export * from './router/index.ts';
export * from './from-config/index.ts';
