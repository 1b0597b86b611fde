import type { Context } from 'hono';
import { HttpError } from './errors.ts';

/**
 * Reads the request body as text, at most `limit` bytes (413 naming the limit otherwise), whether or not
 * the sender declared Content-Length.
 */
export async function readText(c: Context, limit: number): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit)
    throw new HttpError(
      413,
      'body_too_large',
      'body',
      `request body is ${declared} bytes; the limit is ${limit}`,
    );
  const body = c.req.raw.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new HttpError(413, 'body_too_large', 'body', `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/** Parses JSON text; a syntax error becomes 400 naming the body and the parser's message. */
export function parseJson(text: string): unknown {
  if (text.trim() === '')
    throw new HttpError(400, 'malformed_json', 'body', 'request body is empty; expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(
      400,
      'malformed_json',
      'body',
      `request body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

export async function readJson(c: Context, limit: number): Promise<unknown> {
  return parseJson(await readText(c, limit));
}
