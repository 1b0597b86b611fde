/**
 * Time, as core needs it. Monotonic time drives timers (VRRP master-down, check intervals); wall time is
 * only for humans (audit entries, notify lines).
 *
 * @example
 *   const due = clock.monotonicMs() + advertIntervalMs;
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes backwards. May be fractional. */
  monotonicMs(): number;
  /** Milliseconds since the Unix epoch. */
  wallMs(): number;
}
