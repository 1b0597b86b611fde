import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { ManagedIdentityCredentialClientIdOptions } from '@azure/identity';

/** A service principal: tenant and client ids in the config, the secret only in the environment. */
export interface ClientSecretSettings {
  tenantId: string;
  clientId: string;
  /** The environment variable holding the client secret. */
  secretEnv: string;
}

/**
 * The Azure credential: a service principal (ClientSecretCredential) when `clientSecret` is configured,
 * else a chain with managed identity FIRST: ManagedIdentityCredential (the VM's or the App Service's own
 * identity, `managedIdentityClientId` for a user-assigned one), then EnvironmentCredential (AZURE_*
 * variables), workload identity (when AZURE_FEDERATED_TOKEN_FILE is set) and the Azure CLI login.
 * DefaultAzureCredential tries the environment and workload identity before managed identity; on a
 * floatip VM, whose identity is the one granted the role, stray AZURE_* variables must not win.
 * Every credential here renews its token before it expires (test/adapters/azure/credential.test.ts).
 * `@azure/identity` is loaded on the first token request, not at start-up, so a process without Azure
 * resources (or a cold-starting function) does not pay for it. A missing secret variable fails here,
 * naming the variable; the secret itself never appears in an error or log line.
 */
export function azureCredential(
  settings: ClientSecretSettings | undefined,
  env: Record<string, string | undefined>,
  where: string,
  managedIdentityClientId?: string,
): TokenCredential {
  const secret = settings ? env[settings.secretEnv] : undefined;
  if (settings && !secret) throw new Error(`${where}: environment variable ${settings.secretEnv} is not set`);
  let made: Promise<TokenCredential> | undefined;
  const real = (): Promise<TokenCredential> =>
    (made ??= import('@azure/identity').then((id) => {
      if (settings && secret !== undefined)
        return new id.ClientSecretCredential(settings.tenantId, settings.clientId, secret);
      // sendProbeRequest: off Azure, a short probe of the instance metadata endpoint says "unavailable"
      // at once and the chain moves on (to `az login` on a laptop) instead of retrying IMDS for seconds.
      // DefaultAzureCredential sets the same option on its managed identity credential
      // (@azure/identity dist/commonjs/credentials/defaultAzureCredentialFunctions.js); it is not in
      // the public options type, hence the cast. Without it managed identity still works, only slower
      // to give up off Azure.
      const mi = {
        ...(managedIdentityClientId ? { clientId: managedIdentityClientId } : {}),
        sendProbeRequest: true,
      } as ManagedIdentityCredentialClientIdOptions;
      const chain: TokenCredential[] = [new id.ManagedIdentityCredential(mi), new id.EnvironmentCredential()];
      if (env['AZURE_FEDERATED_TOKEN_FILE']) chain.push(new id.WorkloadIdentityCredential());
      chain.push(new id.AzureCliCredential());
      return new id.ChainedTokenCredential(...chain);
    }));
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return (await real()).getToken(scopes, options);
    },
  };
}

/**
 * A fixed bearer token from an environment variable, re-read on every request. For emulators and tests
 * only (the config accepts `tokenEnv` only beside an explicit `endpoint`): Entra tokens expire after an
 * hour or so and this one is never renewed; the credential chain above renews its tokens.
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
