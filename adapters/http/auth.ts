import { hash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Scope } from '../../core/config/control-plane.ts';
import { HttpError, unavailable } from './errors.ts';

/** A bearer token with its secret resolved (from config `value` or the environment). */
export interface ResolvedToken {
  name: string;
  secret: string;
  scopes: Scope[];
  /** The agents a `report` token may report for; absent: any. */
  agents?: readonly string[];
}

const digest = (s: string): Buffer => hash('sha256', s, 'buffer');

/** Each configured secret's digest, computed once (the token objects live as long as the config). */
const secretDigests = new WeakMap<ResolvedToken, Buffer>();
function secretDigest(t: ResolvedToken): Buffer {
  let d = secretDigests.get(t);
  if (d === undefined) secretDigests.set(t, (d = digest(t.secret)));
  return d;
}

/**
 * Finds the token whose secret equals `presented`, comparing in constant time against every configured
 * token (no early exit, equal-length digests), so timing reveals neither which token nor how much matched.
 */
export function matchToken(tokens: readonly ResolvedToken[], presented: string): ResolvedToken | null {
  const p = digest(presented);
  let found: ResolvedToken | null = null;
  for (const t of tokens) if (timingSafeEqual(secretDigest(t), p) && found === null) found = t;
  return found;
}

export type AuthVars = { Variables: { principal: string; token: ResolvedToken } };

/** What authentication needs besides the tokens: the store's readiness and where failures are reported. */
export interface AuthGuard {
  tokens: readonly ResolvedToken[];
  /** False while the store is down: answered 503, but only to a caller that authenticated. */
  ready: () => boolean;
  /** Called once per refused request with the error's code (never the presented secret). */
  refused: (c: Context, e: HttpError) => void;
}

/** Throws `e` after reporting it (log line + metric). */
export function refuse(guard: AuthGuard, c: Context, e: HttpError): never {
  guard.refused(c, e);
  throw e;
}

/**
 * Requires a bearer token with `scope` (`Authorization: Bearer ...`; webhook senders that cannot set
 * headers, such as Azure action groups and GCP channels, may pass `?token=` instead). Authentication
 * comes first: only an authenticated caller learns that the store is down.
 */
export function requireScope(
  guard: AuthGuard,
  scope: Scope,
  allowQuery = false,
): MiddlewareHandler<AuthVars> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let presented: string | undefined;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m?.[1])
        refuse(
          guard,
          c,
          new HttpError(
            401,
            'bad_authorization',
            'Authorization',
            'Authorization header must be "Bearer <token>"',
          ),
        );
      presented = m[1];
    } else if (allowQuery) presented = c.req.query('token');
    if (presented === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="floatip"');
      refuse(guard, c, new HttpError(401, 'missing_token', 'Authorization', 'a bearer token is required'));
    }
    const t = matchToken(guard.tokens, presented);
    if (!t)
      refuse(guard, c, new HttpError(401, 'invalid_token', 'Authorization', 'the bearer token is not valid'));
    if (!t.scopes.includes(scope))
      refuse(
        guard,
        c,
        new HttpError(403, 'insufficient_scope', 'Authorization', `token '${t.name}' lacks scope '${scope}'`),
      );
    c.set('principal', `token:${t.name}`);
    c.set('token', t);
    if (!guard.ready()) throw unavailable('redis not connected');
    await next();
  };
}
