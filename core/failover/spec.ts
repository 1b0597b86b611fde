import type { z } from 'zod';
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
