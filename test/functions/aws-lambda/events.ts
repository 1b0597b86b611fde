/** Event shapes the Lambda services send, for the artifact test and bench:functions. */
import { randomUUID } from 'node:crypto';

export const lambdaTestToken = 'lambda-test-token';
const token = lambdaTestToken;

/** An API Gateway HTTP API (payload format 2.0) event, as the service sends it to the function. */
export function httpApiEvent(method: string, path: string, body?: unknown): Record<string, unknown> {
  const [rawPath = '', rawQueryString = ''] = path.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body), isBase64Encoded: false }),
  };
}
