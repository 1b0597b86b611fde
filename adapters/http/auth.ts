import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Scope } from '../../core/config/control-plane.ts';
import { HttpError } from './errors.ts';

/** A bearer token with its secret resolved (from config `value` or the environment). */
export interface ResolvedToken {
  name: string;
  secret: string;
  scopes: Scope[];
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Finds the token whose secret equals `presented`, comparing in constant time against every configured
 * token (no early exit, equal-length digests), so timing reveals neither which token nor how much matched.
 */
export function matchToken(tokens: readonly ResolvedToken[], presented: string): ResolvedToken | null {
  const p = digest(presented);
  let found: ResolvedToken | null = null;
  for (const t of tokens) if (timingSafeEqual(digest(t.secret), p) && found === null) found = t;
  return found;
}

export type AuthVars = { Variables: { principal: string } };

/**
 * Requires a bearer token with `scope` (`Authorization: Bearer ...`; webhook senders that cannot set
 * headers, such as Azure action groups and GCP channels, may pass `?token=` instead).
 */
export function requireScope(
  tokens: readonly ResolvedToken[],
  scope: Scope,
  allowQuery = false,
): MiddlewareHandler<AuthVars> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let presented: string | undefined;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m?.[1])
        throw new HttpError(
          401,
          'bad_authorization',
          'Authorization',
          'Authorization header must be "Bearer <token>"',
        );
      presented = m[1];
    } else if (allowQuery) presented = c.req.query('token');
    if (presented === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="floatip"');
      throw new HttpError(401, 'missing_token', 'Authorization', 'a bearer token is required');
    }
    const t = matchToken(tokens, presented);
    if (!t) throw new HttpError(401, 'invalid_token', 'Authorization', 'the bearer token is not valid');
    if (!t.scopes.includes(scope))
      throw new HttpError(
        403,
        'insufficient_scope',
        'Authorization',
        `token '${t.name}' lacks scope '${scope}'`,
      );
    c.set('principal', `token:${t.name}`);
    await next();
  };
}
