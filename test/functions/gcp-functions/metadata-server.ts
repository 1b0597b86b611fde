/**
 * The Compute metadata server a Cloud Function's default credentials come from (docs: "About VM
 * metadata", "Access metadata programmatically"): every request carries `Metadata-Flavor: Google`, every
 * answer has the same header; `instance/service-accounts/default/token` gives `{access_token,
 * expires_in, token_type}`. google-auth-library finds it through GCE_METADATA_HOST, as gcp-metadata
 * documents for emulators. Requests are recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetadataServer {
  host: string;
  requests: { path: string; flavorOk: boolean }[];
  close(): Promise<void>;
}

export async function startMetadataServer(project: string, token: string): Promise<MetadataServer> {
  const requests: MetadataServer['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const flavorOk = req.headers['metadata-flavor'] === 'Google';
    requests.push({ path, flavorOk });
    const send = (status: number, body: string, type = 'application/text'): void => {
      res.writeHead(status, { 'metadata-flavor': 'Google', 'content-type': type });
      res.end(body);
    };
    if (!flavorOk) return send(403, 'Missing Metadata-Flavor:Google header.');
    if (path === '/computeMetadata/v1/instance' || path === '/computeMetadata/v1/instance/')
      return send(200, 'ok');
    if (path === '/computeMetadata/v1/project/project-id') return send(200, project);
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token')
      return send(
        200,
        JSON.stringify({ access_token: token, expires_in: 3599, token_type: 'Bearer' }),
        'application/json',
      );
    if (path === '/computeMetadata/v1/instance/service-accounts/default/email')
      return send(200, `floatip@${project}.iam.gserviceaccount.com`);
    return send(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
