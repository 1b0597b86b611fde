/**
 * VRRP timers (rfc3768 §6.1, rfc5798 §6.1, keepalived include/vrrp.h VRRP_TIMER_SKEW / VRRP_MS_DOWN_TIMER).
 * Values are exact binary fractions of a millisecond (divisions by 256 only), so simulated times are exact.
 */

/**
 * Skew_Time in ms.
 * - v2 (rfc3768 §6.1): (256 - Priority) / 256 seconds.
 * - v3 (rfc5798 §6.1): ((256 - Priority) * Master_Adver_Interval) / 256.
 */
export function skewMs(version: 2 | 3, priority: number, masterAdverIntervalMs: number): number {
  return version === 2 ? ((256 - priority) * 1000) / 256 : ((256 - priority) * masterAdverIntervalMs) / 256;
}

/**
 * Master_Down_Interval in ms: `downTimerAdverts` (3 in the RFC, keepalived `down_timer_adverts`) times
 * Master_Adver_Interval, plus Skew_Time. rfc3768 §6.1, rfc5798 §6.1.
 */
export function masterDownMs(
  version: 2 | 3,
  priority: number,
  masterAdverIntervalMs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * masterAdverIntervalMs + skewMs(version, priority, masterAdverIntervalMs);
}
