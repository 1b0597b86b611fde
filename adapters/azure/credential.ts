import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** A service principal: tenant and client ids in the config, the secret only in the environment. */
export interface ClientSecretSettings {
  tenantId: string;
  clientId: string;
  /** The environment variable holding the client secret. */
  secretEnv: string;
}

/**
 * The Azure credential: a service principal (ClientSecretCredential) when `clientSecret` is configured,
 * else DefaultAzureCredential (environment, workload identity, managed identity, az login).
 * `@azure/identity` is loaded on the first token request, not at start-up, so a process without Azure
 * resources (or a cold-starting function) does not pay for it. A missing secret variable fails here,
 * naming the variable; the secret itself never appears in an error or log line.
 */
export function azureCredential(
  settings: ClientSecretSettings | undefined,
  env: Record<string, string | undefined>,
  where: string,
): TokenCredential {
  const secret = settings ? env[settings.secretEnv] : undefined;
  if (settings && !secret) throw new Error(`${where}: environment variable ${settings.secretEnv} is not set`);
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

/**
 * A fixed bearer token from an environment variable, re-read on every request. For emulators and short
 * tests only: Entra tokens expire after an hour, the credential chain above renews them.
 */
export function staticTokenCredential(
  name: string,
  env: Record<string, string | undefined>,
): TokenCredential {
  if (!env[name]) throw new Error(`environment variable ${name} (tokenEnv) is not set`);
  return {
    getToken: () => {
      const token = env[name];
      if (!token) return Promise.reject(new Error(`environment variable ${name} is not set`));
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 5 * 60_000 });
    },
  };
}
