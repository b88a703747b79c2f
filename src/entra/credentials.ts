// Access tokens for Microsoft Graph from @azure/msal-node: client secret, certificate (PEM) or a federated token file.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { Config } from '../config/index.js';

export type EntraCredential =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; pemPath: string }
  | { kind: 'federated'; tokenFile: string };

/** Thrown when the Entra settings cannot produce a credential (a config error: stop before any read). */
export class EntraConfigError extends Error {
  override readonly name = 'EntraConfigError';
}

/** Picks the credential the config names; a federated token file wins, then a certificate, then a secret. */
export function credentialFromConfig(config: Config['entra']): EntraCredential {
  if (config.federatedTokenFile) return { kind: 'federated', tokenFile: config.federatedTokenFile };
  if (config.certificatePath) return { kind: 'certificate', pemPath: config.certificatePath };
  if (config.clientSecret) return { kind: 'secret', clientSecret: config.clientSecret };
  throw new EntraConfigError('entra: set one of clientSecret, certificatePath or federatedTokenFile (AZURE_FEDERATED_TOKEN_FILE)');
}

export interface TokenProvider {
  /** A valid Graph access token; MSAL serves it from its cache and fetches a new one shortly before expiry. */
  getAccessToken(): Promise<string>;
}

/** Graph's application permissions are requested through the resource's `.default` scope. */
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export async function createTokenProvider(config: Config['entra'], credential: EntraCredential): Promise<TokenProvider> {
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
  });
  return {
    async getAccessToken() {
      const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
      if (!result?.accessToken) throw new Error('MSAL returned no access token');
      return result.accessToken;
    },
  };
}

async function msalCredential(credential: EntraCredential): Promise<Partial<Configuration['auth']>> {
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
