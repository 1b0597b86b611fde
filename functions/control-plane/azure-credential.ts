import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { resolveSecret } from './config.ts';

/** A service principal: tenant and client ids in the config, the secret only in the environment. */
export interface ClientSecretSettings {
  tenantId: string;
  clientId: string;
  /** The environment variable holding the client secret. */
  secretEnv: string;
}

/**
 * The Azure credential of the control plane: a service principal (ClientSecretCredential) when
 * `clientSecret` is configured, else DefaultAzureCredential (environment, workload identity, managed
 * identity, az login). `@azure/identity` is loaded on the first token request, not at start-up, so a
 * control plane without Azure groups (or a cold-starting function) does not pay for it. A missing secret
 * variable fails here, naming the variable; the secret itself never appears in an error or log line.
 */
export function azureCredential(
  settings: ClientSecretSettings | undefined,
  env: NodeJS.ProcessEnv,
  where: string,
): TokenCredential {
  const secret = settings ? resolveSecret({ env: settings.secretEnv }, where, env) : undefined;
  let made: Promise<TokenCredential> | undefined;
  const real = (): Promise<TokenCredential> =>
    (made ??= import('@azure/identity').then((id) =>
      settings && secret !== undefined
        ? new id.ClientSecretCredential(settings.tenantId, settings.clientId, secret)
        : new id.DefaultAzureCredential(),
    ));
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return (await real()).getToken(scopes, options);
    },
  };
}
