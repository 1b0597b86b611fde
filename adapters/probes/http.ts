// HTTP_GET and SSL_GET: one URL per attempt, the request keepalived sends, the body read to the end
// (or to Content-Length), then status range, MD5 digest (genhash style: of the body bytes as received)
// and regex are checked (keepalived check_http.c; reference keepalived.md §3.3).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { errorText, settleOnce, target } from './result.ts';
import { openStream, type ProbeSocketOpener } from './socket-open.ts';

export type HttpRequest = Extract<ProbeRequest, { kind: 'http' }>;

/**
 * Body bytes kept for the regex. keepalived streams the whole body through PCRE2 (partial matching), so
 * a match anywhere counts; here the body is kept and matched once, up to 1 MiB, or, with
 * regex_max_offset, up to that offset plus 64 KiB for the match itself. The digest covers the whole body.
 */
const REGEX_BODY_LIMIT = 1024 * 1024;
const REGEX_MATCH_ROOM = 64 * 1024;
export const regexKeepBytes = (url: HttpRequest['url']): number =>
  url.regexMaxOffset === undefined
    ? REGEX_BODY_LIMIT
    : Math.min(url.regexMaxOffset + REGEX_MATCH_ROOM, 16 * REGEX_BODY_LIMIT);
const MAX_HEADER = 16 * 1024;

/** PEM files named in TLS options, read once per path (a failed read is reported, not cached). */
const pemCache = new Map<string, string>();
function pem(text: string | undefined, file: string | undefined): string | undefined {
  if (text !== undefined || file === undefined) return text;
  let v = pemCache.get(file);
  if (v === undefined) {
    v = readFileSync(file, 'utf8');
    pemCache.set(file, v);
  }
  return v;
}

/**
 * The URL's regex against the body, as keepalived's check_regex: `regexFlags` from regex_options, the
 * search starts at regex_min_offset and the (leftmost) match must start at or before regex_max_offset.
 * The search starts with lastIndex (not a slice), so `^` and lookbehind still see the whole body, as
 * with PCRE2's start offset. `regexFirstLine`: the match must start at or before the first newline
 * at or after the start offset (PCRE2_FIRSTLINE).
 */
export function regexMatches(url: HttpRequest['url'], body: string): boolean {
  if (url.regex === undefined) return true;
  const re = new RegExp(url.regex, `${url.regexFlags ?? ''}g`);
  const from = url.regexMinOffset ?? 0;
  re.lastIndex = from;
  const m = re.exec(body);
  if (m === null) return false;
  if (url.regexMaxOffset !== undefined && m.index > url.regexMaxOffset) return false;
  if (url.regexFirstLine) {
    const nl = body.indexOf('\n', from);
    if (nl >= 0 && m.index > nl) return false;
  }
  return true;
}

/** The kept body bytes as the regex sees them: UTF-8 with the `utf` option, else one char per byte. */
export const regexSubject = (url: HttpRequest['url'], bytes: Buffer): string =>
  bytes.toString(url.regexFlags?.includes('u') ? 'utf8' : 'latin1');

/** The request line and headers, in keepalived's order. */
export function httpRequestText(req: HttpRequest): string {
  const vhost = req.url.virtualhost;
  const host = vhost ?? target(req.host, req.port);
  const minor = req.protocol === '1.1' ? 1 : 0;
  const close = req.protocol === '1.0' ? '' : 'Connection: close\r\n';
  return `GET ${req.url.path} HTTP/1.${minor}\r\nUser-Agent: KeepAliveClient\r\n${close}Host: ${host}\r\n\r\n`;
}

export function httpProbe(req: HttpRequest, opener?: ProbeSocketOpener): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = settleOnce(performance.now(), resolve);
    const scheme = req.tls ? 'https' : 'http';
    const where = `${scheme}://${target(req.host, req.port)}${req.url.path}`;
    let raw: Socket | undefined;
    let socket: Socket;
    try {
      raw = openStream(req, opener);
      if (req.tls) {
        const t = req.tls;
        const sni = t.sni && req.url.virtualhost ? req.url.virtualhost : undefined;
        const ca = pem(t.ca, t.caFile);
        const cert = pem(t.certificate, t.certificateFile);
        const key = pem(t.key, t.keyFile);
        socket = tlsConnect({
          socket: raw,
          // keepalived never verifies the server certificate; verification is opt-in here.
          rejectUnauthorized: t.verify ?? false,
          ...(sni === undefined ? {} : { servername: sni }),
          ...(ca === undefined ? {} : { ca }),
          ...(cert === undefined ? {} : { cert }),
          ...(key === undefined ? {} : { key }),
          ...(t.password === undefined ? {} : { passphrase: t.password }),
          ...(t.minVersion === undefined ? {} : { minVersion: t.minVersion }),
        });
      } else {
        socket = raw;
      }
    } catch (err) {
      raw?.destroy();
      s.finish(false, `${where}: ${errorText(err)}`);
      return;
    }
    const tcp = raw;
    const fail = (why: string): void => {
      clearTimeout(timer);
      socket.destroy();
      tcp.destroy();
      s.finish(false, `${where}: ${why}`);
    };
    const timer = setTimeout(() => fail(`timeout after ${req.timeoutMs} ms`), req.timeoutMs);
    socket.once(req.tls ? 'secureConnect' : 'connect', () => socket.write(httpRequestText(req)));
    socket.once('error', (err) => fail(errorText(err)));
    if (tcp !== socket) tcp.once('error', (err) => fail(errorText(err)));

    let head = Buffer.alloc(0);
    let status: number | null = null;
    let contentLength: number | null = null;
    let bodyBytes = 0;
    const md5 = req.url.digest ? createHash('md5') : null;
    const kept: Buffer[] = [];
    const keepLimit = regexKeepBytes(req.url);
    let keptBytes = 0;
    let received = 0;

    const body = (chunk: Buffer): void => {
      const room = contentLength === null ? chunk.length : Math.max(0, contentLength - bodyBytes);
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bodyBytes += part.length;
      md5?.update(part);
      if (req.url.regex !== undefined && keptBytes < keepLimit) {
        const room = keepLimit - keptBytes;
        const piece = part.length > room ? part.subarray(0, room) : part;
        kept.push(piece);
        keptBytes += piece.length;
      }
    };

    const judge = (): void => {
      clearTimeout(timer);
      socket.destroy();
      tcp.destroy();
      if (received === 0) return s.finish(false, `${where}: empty response`);
      if (status === null) return s.finish(false, `${where}: no HTTP status line`);
      const okStatus = req.url.statusRanges.some(
        ([lo, hi]) => status !== null && status >= lo && status <= hi,
      );
      if (!okStatus) return s.finish(false, `${where}: status ${status} not accepted`);
      if (md5 && req.url.digest) {
        const got = md5.digest('hex');
        if (got !== req.url.digest.toLowerCase()) {
          return s.finish(false, `${where}: digest ${got} != ${req.url.digest.toLowerCase()}`);
        }
      }
      if (req.url.regex !== undefined) {
        let matched: boolean;
        try {
          matched = regexMatches(req.url, regexSubject(req.url, Buffer.concat(kept)));
        } catch (err) {
          return s.finish(false, `${where}: bad regex: ${errorText(err)}`);
        }
        if (matched === Boolean(req.url.regexNoMatch)) {
          return s.finish(false, `${where}: regex ${req.url.regexNoMatch ? 'matched' : 'did not match'}`);
        }
      }
      s.finish(true, `${where}: status ${status}${md5 ? ', digest ok' : ''}`);
    };

    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (status === null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEADER) fail('response header too large');
          return;
        }
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
        if (!m) return fail(`bad status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
        status = Number(m[1]);
        for (const line of lines.slice(1)) {
          const h = /^content-length:\s*(\d+)\s*$/i.exec(line);
          if (h) contentLength = Number(h[1]);
        }
        body(head.subarray(end + 4));
        head = Buffer.alloc(0);
      } else {
        body(chunk);
      }
      if (contentLength !== null && bodyBytes >= contentLength) judge();
    });
    socket.once('end', judge);
  });
}
