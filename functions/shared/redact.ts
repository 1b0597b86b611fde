/**
 * Secrets kept out of what floatip prints: a URL's password (`redis://default:s3cret@host` →
 * `redis://default:***@host`), and secret fields of a configuration dump.
 */
export const REDACTED = '***';

/** The URL with its password (and a user-only secret such as `redis://token@host`) replaced by ***. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL we can read: keep the scheme and host part only if it has credentials.
    return url.replace(/\/\/[^@/]*@/, `//${REDACTED}@`);
  }
  if (u.password !== '') u.password = REDACTED;
  else if (u.username !== '' && /^rediss?:$/.test(u.protocol)) u.username = REDACTED;
  return u.toString().replace(/%2A%2A%2A/g, REDACTED);
}
