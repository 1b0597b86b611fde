import type * as z from 'zod';
import type { Holder } from '../ports/index.ts';

/**
 * Validates a provider-specific spec (of a resource or a member) with the adapter's zod schema. Answers
 * the value, or one line naming where and which field is wrong, so a bad config never reaches the API.
 */
export function parseSpec<T>(schema: z.ZodType<T, unknown>, value: unknown, where: string): T | string {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  return `${where}: ${issue?.path.join('.') || '(spec)'}: ${issue?.message ?? 'invalid'}`;
}

/** Validates every member's spec for one provider; a bad one is a construction error naming the member. */
export function parseMembers<T>(
  schema: z.ZodType<T, unknown>,
  members: readonly Holder[],
  provider: string,
): { id: string; spec: T }[] {
  return members.map((m) => {
    const spec = parseSpec(schema, m.spec, `${provider} member ${m.id}`);
    if (typeof spec === 'string') throw new Error(spec);
    return { id: m.id, spec };
  });
}

/**
 * The member a driver works for: `holderId`'s, or the first member when observing (`holderId` null).
 * Answers a line naming the problem when `holderId` is no member of this provider, or when there is no
 * member at all and no `fallback` (a provider that can observe without members passes one).
 */
export function memberFor<M extends { id: string }>(
  members: readonly M[],
  holderId: string | null,
  provider: string,
  fallback?: M,
): M | string {
  const target = members.find((m) => m.id === holderId) ?? members[0] ?? fallback;
  if (!target || (holderId !== null && target.id !== holderId))
    return `${provider}: ${holderId} is not ${/^[aeiou]/.test(provider) ? 'an' : 'a'} ${provider} member`;
  return target;
}
