// FILE_CHECK: read the tracked file and report the integer it holds (core/health turns value × weight
// into up/down and a weight change). A file that is missing or holds no integer fails.
import { readFile } from 'node:fs/promises';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText } from './result.ts';

export type FileRequest = Extract<ProbeRequest, { kind: 'file' }>;

export async function fileProbe(req: FileRequest): Promise<ProbeResult> {
  const start = performance.now();
  const result = (ok: boolean, detail: string, code?: number): ProbeResult => ({
    ok,
    detail,
    durationMs: performance.now() - start,
    ...(code === undefined ? {} : { code }),
  });
  let text: string;
  try {
    text = await readFile(req.path, { encoding: 'utf8', signal: AbortSignal.timeout(req.timeoutMs) });
  } catch (err) {
    return result(false, `FILE_CHECK ${req.path}: ${errorText(err)}`);
  }
  const m = /^\s*([+-]?\d+)\s*(?:\n|$)/.exec(text);
  if (!m) return result(false, `FILE_CHECK ${req.path}: no integer in ${JSON.stringify(text.slice(0, 40))}`);
  const value = Number(m[1]);
  if (!Number.isSafeInteger(value)) return result(false, `FILE_CHECK ${req.path}: ${m[1]} out of range`);
  return result(true, `FILE_CHECK ${req.path}: value ${value}`, value);
}
