/**
 * The App Service managed-identity token endpoint that Azure Functions gives every app with an identity
 * (docs: "How to use managed identities for App Service and Azure Functions", REST protocol): the
 * platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER; a client GETs
 * `IDENTITY_ENDPOINT?resource=...&api-version=2019-08-01` with header `X-IDENTITY-HEADER` and gets
 * `{access_token, expires_on, resource, token_type}`. @azure/identity's DefaultAzureCredential finds it
 * through those two variables, as in production. Requests are recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IdentityEndpoint {
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  requests: { resource: string | null; headerOk: boolean }[];
  close(): Promise<void>;
}

export async function startIdentityEndpoint(token: string): Promise<IdentityEndpoint> {
  const header = 'fip-identity-header';
  const requests: IdentityEndpoint['requests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headerOk = req.headers['x-identity-header'] === header;
    const resource = url.searchParams.get('resource');
    requests.push({ resource, headerOk });
    if (!headerOk || resource === null) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_request' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: token,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource,
        token_type: 'Bearer',
        client_id: '00000000-0000-0000-0000-00000000f1ad',
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: header },
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
