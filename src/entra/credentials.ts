// Access tokens for Microsoft Graph from @azure/msal-node: client secret, certificate (PEM), a federated token
// file (workload identity) or the platform's managed identity. Requests go through the outbound dispatcher.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfidentialClientApplication, ManagedIdentityApplication, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import { MsalNetworkClient, NetworkFailure, TokenServiceUnavailable } from './outbound-http.js';

export type EntraCredential =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; pemPath: string }
  | { kind: 'federated'; tokenFile: string }
  /** No clientId: the system-assigned identity; else the user-assigned identity with that client id. */
  | { kind: 'managed-identity'; clientId?: string };

/** Thrown when the Entra settings cannot produce a credential (a config error: stop before any read). */
export class EntraConfigError extends Error {
  override readonly name = 'EntraConfigError';
}

/** Thrown when the token endpoint refused (bad secret, unknown app, no consent); a network cause is a NetworkFailure. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
}

/** The credential ENTRA_AUTH names; with `auto`, a federated token file wins, then a certificate, then a secret. */
export function credentialFromConfig(config: Config['entra']): EntraCredential {
  const auth = config.auth ?? 'auto';
  const missing = (setting: string): EntraConfigError => new EntraConfigError(`entra: ENTRA_AUTH=${auth} needs ${setting}`);
  switch (auth) {
    case 'managed-identity':
      if (!config.servicePrincipalId && !config.clientId) {
        throw missing('ENTRA_SERVICE_PRINCIPAL_ID (the enterprise application users are assigned to) or ENTRA_CLIENT_ID (its app id)');
      }
      return config.managedIdentityClientId ? { kind: 'managed-identity', clientId: config.managedIdentityClientId } : { kind: 'managed-identity' };
    case 'federated':
      if (!config.federatedTokenFile) throw missing('AZURE_FEDERATED_TOKEN_FILE');
      return { kind: 'federated', tokenFile: config.federatedTokenFile };
    case 'certificate':
      if (!config.certificatePath) throw missing('ENTRA_CLIENT_CERTIFICATE_PATH');
      return { kind: 'certificate', pemPath: config.certificatePath };
    case 'secret':
      if (!config.clientSecret) throw missing('ENTRA_CLIENT_SECRET');
      return { kind: 'secret', clientSecret: config.clientSecret };
    case 'auto':
      if (config.federatedTokenFile) return { kind: 'federated', tokenFile: config.federatedTokenFile };
      if (config.certificatePath) return { kind: 'certificate', pemPath: config.certificatePath };
      if (config.clientSecret) return { kind: 'secret', clientSecret: config.clientSecret };
      throw new EntraConfigError('entra: set one of clientSecret, certificatePath or federatedTokenFile (AZURE_FEDERATED_TOKEN_FILE), or ENTRA_AUTH=managed-identity');
  }
}

export interface TokenProvider {
  /** A valid Graph access token; MSAL serves it from its cache and fetches a new one shortly before expiry. */
  getAccessToken(): Promise<string>;
}

/**
 * The Graph resource is the origin of GRAPH_BASE_URL: https://graph.microsoft.com, or a national cloud's own host
 * (graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn; Graph docs "National cloud
 * deployments"). A token for another resource is refused by that cloud's Graph.
 */
export function graphResource(graphBaseUrl: string): string {
  return new URL(graphBaseUrl).origin;
}

export async function createTokenProvider(config: Config['entra'], credential: EntraCredential, dispatcher: Dispatcher): Promise<TokenProvider> {
  const networkClient = new MsalNetworkClient(dispatcher);
  const resource = graphResource(config.graphBaseUrl);
  const explain = (error: unknown): Error => {
    // MSAL reports a failed discovery or token request without its cause (`endpoints_resolution_error`); the
    // network client kept it.
    const failure = networkClient.takeFailure();
    if (failure instanceof NetworkFailure) return new NetworkFailure(`token request failed: ${failure.message}`, { cause: error });
    if (failure) return new TokenServiceUnavailable(`token request failed: ${failure.message}`, { cause: error });
    return new TokenRequestError(`token request failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };
  if (credential.kind === 'managed-identity') {
    const app = new ManagedIdentityApplication({
      ...(credential.clientId ? { managedIdentityIdParams: { userAssignedClientId: credential.clientId } } : {}),
      system: { networkClient },
    });
    return {
      async getAccessToken() {
        networkClient.takeFailure();
        const result = await app.acquireToken({ resource }).catch((error: unknown) => { throw explain(error); });
        return result.accessToken;
      },
    };
  }
  if (!config.tenantId || !config.clientId) throw new EntraConfigError('entra: tenantId and clientId are required');
  const authorityHost = config.authorityHost.replace(/\/+$/, '');
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      authority: `${authorityHost}/${config.tenantId}`,
      // A host MSAL does not know (sovereign cloud, the simulator) must be named, or MSAL first asks
      // Microsoft's instance discovery and fails offline (ARCHITECTURE.md, "Pitfalls").
      knownAuthorities: [new URL(authorityHost).host],
      ...(await msalCredential(credential)),
    },
    system: { networkClient },
  });
  // Application permissions are requested through the resource's `.default` scope.
  const scopes = [`${resource}/.default`];
  return {
    async getAccessToken() {
      networkClient.takeFailure();
      const result = await app.acquireTokenByClientCredential({ scopes }).catch((error: unknown) => { throw explain(error); });
      if (!result?.accessToken) throw new TokenRequestError('token request failed: MSAL returned no access token');
      return result.accessToken;
    },
  };
}

async function msalCredential(credential: Exclude<EntraCredential, { kind: 'managed-identity' }>): Promise<Partial<Configuration['auth']>> {
  switch (credential.kind) {
    case 'secret':
      return { clientSecret: credential.clientSecret };
    case 'certificate':
      return { clientCertificate: await readCertificate(credential.pemPath) };
    case 'federated':
      // Workload identity: the platform rotates the token file (about hourly on AKS), so it is read again on
      // every token request rather than once at start.
      return { clientAssertion: async () => (await readFile(credential.tokenFile, 'utf8')).trim() };
  }
}

/** One PEM file holding the private key and the certificate registered on the app. */
async function readCertificate(pemPath: string): Promise<{ thumbprintSha256: string; privateKey: string; x5c: string }> {
  const pem = await readFile(pemPath, 'utf8');
  const privateKey = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!privateKey || !certificate) {
    throw new EntraConfigError(`entra.certificatePath: ${pemPath} must contain a PEM private key and its certificate`);
  }
  const thumbprintSha256 = new X509Certificate(certificate).fingerprint256.replaceAll(':', '');
  return { thumbprintSha256, privateKey, x5c: certificate };
}
