import type { z } from 'zod';
import { HttpError } from './errors.ts';

/** Formats a zod issue path as `alerts[0].labels.instance`, prefixed with `root`. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let s = root;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s === '' ? 'body' : s;
}

/** Validates `data` against `schema`; the first problem becomes a 400 naming the field. */
export function validate<T>(schema: z.ZodType<T>, data: unknown, root = ''): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = fieldPath(root, issue?.path ?? []);
  throw new HttpError(400, 'invalid_field', field, `${field}: ${issue?.message ?? 'invalid'}`);
}
