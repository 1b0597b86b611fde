/**
 * A loopback stand-in for SNS's certificate host: a throw-away RSA key and self-signed certificate made
 * with openssl, served over HTTP on 127.0.0.1, plus a signer that signs messages the way SNS does.
 */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnsMessage } from '../../../adapters/http/index.ts';
import { snsCanonicalString } from '../../../adapters/http/index.ts';

export interface SnsFixture {
  base: string;
  certUrl: string;
  confirmations: string[];
  sign(
    m: Omit<SnsMessage, 'Signature' | 'SigningCertURL' | 'SignatureVersion'>,
    version?: '1' | '2',
  ): SnsMessage;
  close(): Promise<void>;
}

export async function snsFixture(): Promise<SnsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-sns-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=sns.test.invalid',
      ],
      { stdio: 'ignore' },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `openssl is needed to make the test SNS certificate (apt-get install openssl): ${(err as Error).message}`,
    );
  }
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const confirmations: string[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/SimpleNotificationService-test.pem') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(cert);
    } else if (req.url?.startsWith('/confirm')) {
      confirmations.push(req.url);
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const certUrl = `${base}/SimpleNotificationService-test.pem`;
  return {
    base,
    certUrl,
    confirmations,
    sign(m, version = '2') {
      const full = { ...m, SignatureVersion: version, SigningCertURL: certUrl, Signature: '' } as SnsMessage;
      const s = createSign(version === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
      s.update(snsCanonicalString(full), 'utf8');
      return { ...full, Signature: s.sign(key, 'base64') };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
