import type * as z from 'zod';
import { HttpError } from './errors.ts';

/** Formats a zod issue path as `alerts[0].labels.instance`, prefixed with `root`. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let s = root;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s === '' ? 'body' : s;
}

/**
 * A schema built when it is first used: zod builds a schema object by object, which a function's cold
 * start would otherwise pay for every request body it never sees (each webhook source, agent reports).
 */
export function lazySchema<S extends z.ZodType>(build: () => S): () => S {
  let schema: S | null = null;
  return () => (schema ??= build());
}

/** Validates `data` against `schema`; the first problem becomes a 400 naming the field. */
export function validate<T>(schema: z.ZodType<T> | (() => z.ZodType<T>), data: unknown, root = ''): T {
  const r = (typeof schema === 'function' ? schema() : schema).safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = fieldPath(root, issue?.path ?? []);
  throw new HttpError(400, 'invalid_field', field, `${field}: ${issue?.message ?? 'invalid'}`);
}
