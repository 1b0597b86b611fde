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

/** Field names whose values are secrets wherever they appear in a configuration model. */
const secretKeys = new Set(['password', 'authPass', 'auth_pass', 'secret', 'clientSecretValue']);

/**
 * A copy of a configuration model with its secrets replaced by ***: every `password`-like field (VRRP
 * auth_pass, SSL key passwords), the `value` of control-plane tokens and of the HMAC hook, and the password
 * of every URL (Redis). The `env` that names where a secret comes from is kept: it is no secret.
 */
export function redactSecrets<T>(model: T): T {
  const walk = (v: unknown, key: string, parent: string): unknown => {
    if (typeof v === 'string') {
      if (secretKeys.has(key)) return REDACTED;
      if (key === 'value' && (parent === 'tokens' || parent === 'hmac')) return REDACTED;
      if (key === 'url') return redactUrl(v);
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, key, key));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k, key)]));
    return v;
  };
  return walk(model, '', '') as T;
}
