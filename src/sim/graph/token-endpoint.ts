// The Microsoft identity platform look-alike: OpenID configuration and the client-credentials token endpoint
// that the real @azure/msal-node ConfidentialClientApplication talks to (secret, certificate or federated token),
// and the App Service managed identity endpoint that msal-node's ManagedIdentityApplication calls.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sendJson } from './http.js';
import { certificateAssertionProblem, signAccessToken } from './jwt.js';

export interface TokenIssuerSettings {
  authorityHost: string;
  graphBaseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  servicePrincipalId: string;
  certificatePem: string | null;
  federatedToken: string | null;
  grantedPermissions: string[];
  tokenLifetimeSeconds: number;
  signingSecret: Buffer;
  /** Managed identity (App Service style): the secret header value, and the one user-assigned identity's client id. */
  identityHeader: string;
  managedIdentityClientId: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The `{tenant}/v2.0/.well-known/openid-configuration` document; MSAL needs these four endpoints and issuer. */
export function openIdConfiguration(settings: TokenIssuerSettings): Record<string, unknown> {
  const base = `${settings.authorityHost}/${settings.tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
  };
}

/** Error answers shaped like Entra's (`error`, `error_description` with an AADSTS code, `error_codes`). */
function sendTokenError(res: ServerResponse, status: number, error: string, aadsts: number, description: string): void {
  sendJson(res, status, {
    error,
    error_description: `AADSTS${aadsts}: ${description}`,
    error_codes: [aadsts],
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

/** Handles POST /{tenant}/oauth2/v2.0/token with a form-encoded body. */
export function answerTokenRequest(res: ServerResponse, tenant: string, form: URLSearchParams, settings: TokenIssuerSettings): void {
  if (tenant !== settings.tenantId) {
    return sendTokenError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return sendTokenError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const clientId = form.get('client_id');
  if (clientId !== settings.clientId) {
    return sendTokenError(res, 400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId ?? ''}' was not found in the directory.`);
  }
  const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const allowed = ['https://graph.microsoft.com/.default', `${settings.graphBaseUrl}/.default`];
  if (!scopes.some((scope) => allowed.includes(scope))) {
    return sendTokenError(res, 400, 'invalid_scope', 1002012,
      `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const problem = credentialProblem(form, settings);
  if (problem) return sendTokenError(res, 401, 'invalid_client', problem.aadsts, problem.message);

  const now = Math.floor(Date.now() / 1000);
  const accessToken = signAccessToken({
    aud: 'https://graph.microsoft.com',
    iss: `https://sts.windows.net/${settings.tenantId}/`,
    iat: now, nbf: now, exp: now + settings.tokenLifetimeSeconds,
    appid: settings.clientId, idtyp: 'app', oid: settings.servicePrincipalId, sub: settings.servicePrincipalId,
    tid: settings.tenantId, roles: settings.grantedPermissions, ver: '1.0',
  }, settings.signingSecret);
  sendJson(res, 200, {
    token_type: 'Bearer',
    expires_in: settings.tokenLifetimeSeconds,
    ext_expires_in: settings.tokenLifetimeSeconds,
    access_token: accessToken,
  });
}

function credentialProblem(form: URLSearchParams, settings: TokenIssuerSettings): { aadsts: number; message: string } | null {
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    return secret === settings.clientSecret ? null
      : { aadsts: 7000215, message: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.' };
  }
  if (assertion === null || form.get('client_assertion_type') !== JWT_BEARER) {
    return { aadsts: 7000218, message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." };
  }
  // Workload identity federation: the assertion is the external IdP's token, which we accept verbatim.
  if (settings.federatedToken !== null && assertion === settings.federatedToken) return null;
  if (settings.certificatePem === null) {
    return { aadsts: 700213, message: 'No matching federated identity record or certificate found for the presented assertion.' };
  }
  const reason = certificateAssertionProblem(assertion, settings.certificatePem, {
    clientId: settings.clientId,
    tokenEndpoint: `${settings.authorityHost}/${settings.tenantId}/oauth2/v2.0/token`,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  return reason === null ? null : { aadsts: 700027, message: reason };
}

/**
 * GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…[&client_id=…] with the `X-IDENTITY-HEADER` secret, as
 * msal-node's AppService source sends it (its ManagedIdentitySources/AppService). No client_id: the system-assigned
 * identity; a client_id must be the simulator's one user-assigned identity. The answer is App Service's shape.
 */
export function answerManagedIdentityRequest(res: ServerResponse, params: URLSearchParams, header: string | string[] | undefined, settings: TokenIssuerSettings): void {
  const refuse = (status: number, message: string): void => sendJson(res, status, { statusCode: status, message, correlationId: randomUUID() });
  if (header !== settings.identityHeader) return refuse(401, 'The X-IDENTITY-HEADER is missing or wrong.');
  if (params.get('api-version') !== '2019-08-01') return refuse(400, 'Unsupported api-version.');
  const resource = params.get('resource') ?? '';
  if (![new URL(settings.graphBaseUrl).origin, 'https://graph.microsoft.com'].includes(resource.replace(/\/+$/, ''))) {
    return refuse(400, `Resource '${resource}' is not a Graph resource this simulator serves.`);
  }
  const clientId = params.get('client_id');
  if (clientId !== null && clientId !== settings.managedIdentityClientId) return refuse(400, `No user-assigned identity with client id '${clientId}'.`);
  const now = Math.floor(Date.now() / 1000);
  const principalId = clientId ?? 'system-assigned';
  const accessToken = signAccessToken({
    aud: resource, iss: `https://sts.windows.net/${settings.tenantId}/`, iat: now, nbf: now, exp: now + settings.tokenLifetimeSeconds,
    appid: clientId ?? settings.clientId, idtyp: 'app', oid: principalId, sub: principalId, tid: settings.tenantId,
    roles: settings.grantedPermissions, ver: '1.0', xms_mirid: clientId ? 'user-assigned' : 'system-assigned',
  }, settings.signingSecret);
  sendJson(res, 200, {
    access_token: accessToken, expires_on: String(now + settings.tokenLifetimeSeconds), resource, token_type: 'Bearer',
    client_id: clientId ?? settings.clientId,
  });
}
