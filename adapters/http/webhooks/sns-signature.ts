import { createVerify } from 'node:crypto';
import { HttpError } from '../errors.ts';

/** The SNS message fields floatip reads (a Notification or a (Un)SubscriptionConfirmation). */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

/**
 * The string SNS signs: selected fields as `Name\nvalue\n`, in byte order of their names. Notifications
 * sign Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type; confirmations sign
 * Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 */
export function snsCanonicalString(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? [
          'Message',
          'MessageId',
          ...(m.Subject === undefined ? [] : ['Subject']),
          'Timestamp',
          'TopicArn',
          'Type',
        ]
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields.map((f) => `${f}\n${String((m as unknown as Record<string, unknown>)[f] ?? '')}\n`).join('');
}

/** Fetches a PEM certificate by URL (cached by the caller). */
export type CertFetcher = (url: string) => Promise<string>;

/** A fetcher that only takes URLs matching `allowed`, with a timeout and a size cap, caching by URL. */
export function allowListedCertFetcher(allowed: RegExp, timeoutMs = 3000, maxBytes = 16_384): CertFetcher {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    if (!allowed.test(url) || !url.endsWith('.pem'))
      return Promise.reject(
        new HttpError(
          403,
          'cert_url_not_allowed',
          'SigningCertURL',
          `SigningCertURL ${url} is not an allowed SNS certificate location`,
        ),
      );
    let p = cache.get(url);
    if (!p) {
      p = (async () => {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const text = await res.text();
        if (text.length > maxBytes || !text.includes('-----BEGIN CERTIFICATE-----'))
          throw new Error('not a PEM certificate');
        return text;
      })();
      p.catch(() => cache.delete(url));
      cache.set(url, p);
    }
    return p;
  };
}

/** Verifies an SNS message's RSA signature (SHA1 for SignatureVersion 1, SHA256 for 2). */
export async function verifySnsSignature(m: SnsMessage, fetchCert: CertFetcher): Promise<void> {
  let pem: string;
  try {
    pem = await fetchCert(m.SigningCertURL);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(
      502,
      'cert_fetch_failed',
      'SigningCertURL',
      `could not fetch the signing certificate: ${(err as Error).message}`,
    );
  }
  const v = createVerify(m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
  v.update(snsCanonicalString(m), 'utf8');
  let good = false;
  try {
    good = v.verify(pem, m.Signature, 'base64');
  } catch {
    good = false;
  }
  if (!good)
    throw new HttpError(
      401,
      'signature_mismatch',
      'Signature',
      'SNS signature does not verify against the signing certificate',
    );
}
