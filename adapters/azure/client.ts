import { NetworkManagementClient } from '@azure/arm-network';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** The header an operation sets to ask for If-Match / If-None-Match on its PUT (and nothing else). */
export const conditionHeader = 'x-floatip-condition';

/**
 * Puts the precondition on the PUT only. The SDK copies custom headers onto every LRO poll and the final
 * GET; an If-Match there would fail once the resource's ETag changed under our own write.
 */
const conditionOnPutOnly: PipelinePolicy = {
  name: 'floatipConditionOnPutOnly',
  sendRequest(request, next) {
    const value = request.headers.get(conditionHeader);
    if (value !== undefined) {
      request.headers.delete(conditionHeader);
      if (request.method === 'PUT') {
        if (value === 'absent') request.headers.set('If-None-Match', '*');
        else request.headers.set('If-Match', value);
      }
    }
    return next(request);
  },
};

export interface AzureClientOptions {
  subscriptionId: string;
  credential: TokenCredential;
  /** ARM endpoint; https://management.azure.com when absent. */
  endpoint?: string;
  /** Extra CA (PEM) to trust, e.g. an emulator's loopback certificate. */
  ca?: string;
}

/**
 * The token scope of an ARM endpoint: its origin + `/.default`. Each cloud's Resource Manager is its own
 * audience (https://management.azure.com, https://management.usgovcloudapi.net,
 * https://management.chinacloudapi.cn, ...): a token for one is refused by another.
 */
export function armScope(endpoint: string): string {
  return `${new URL(endpoint).origin}/.default`;
}

export function createNetworkClient(o: AzureClientOptions): NetworkManagementClient {
  const endpoint = o.endpoint ?? 'https://management.azure.com';
  return new NetworkManagementClient(o.credential, o.subscriptionId, {
    endpoint,
    credentialScopes: [armScope(endpoint)],
    retryOptions: { maxRetries: 0 }, // retries are ours: classified, jittered, rate limited
    additionalPolicies: [{ policy: conditionOnPutOnly, position: 'perCall' }],
    ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
  });
}
