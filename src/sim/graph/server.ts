// startGraphSimulator: one https server on loopback that plays the Microsoft identity platform (token
// endpoint) and Microsoft Graph v1.0 (directory reads and delta) over a SimTenant, plus the /_sim/ control API.
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { handleControlRequest } from './control-api.js';
import { DeltaService, type ExpiredAnswer } from './delta.js';
import { DirectoryReader } from './directory-routes.js';
import { GraphHttpError, readBody, readJsonObject, sendGraphError, sendJson } from './http.js';
import { checkAccessToken } from './jwt.js';
import { SeededRandom } from './random.js';
import { SubscriptionService } from './subscriptions.js';
import type { SimTenant } from './tenant.js';
import { readServerTls } from './tls-files.js';
import { answerManagedIdentityRequest, answerTokenRequest, openIdConfiguration, type TokenIssuerSettings } from './token-endpoint.js';
import { malformPage, type MalformedPageShape } from './malformed-pages.js';
import { TrafficControl, type FaultSpec, type RequestRecord } from './traffic.js';

export interface GraphSimulatorOptions {
  tenant: SimTenant;
  /** 0 or absent: any free port. */
  port?: number;
  /** Defaults to the tenant's appId. */
  clientId?: string;
  /** Defaults to a random secret, readable on the simulator. */
  clientSecret?: string;
  /** PEM certificate whose key may sign client assertions (MSAL's certificate credential). */
  certificatePem?: string;
  /** A token accepted verbatim as client assertion (workload identity federation). */
  federatedToken?: string;
  /** Application permissions in the access token's `roles` claim. */
  grantedPermissions?: string[];
  tokenLifetimeSeconds?: number;
  /** Objects per delta page, drawn anew for each page (Graph: "the number of objects in each page can vary"). */
  pageSize?: { min: number; max: number };
  /** Graph API requests allowed per sliding 10 seconds before 429 + Retry-After; null: no throttling. */
  throttle?: { requestsPer10Seconds: number } | null;
  /** The host name Graph URLs use (links, the token resource); default 127.0.0.1. `localhost` plays a cloud whose
   *  Graph host is not the sign-in host (a sovereign cloud); the authority stays on 127.0.0.1. */
  graphHostName?: string;
  /** Change-notification subscriptions are granted at most this many seconds (a test knob; see subscriptions.ts). */
  subscriptionGrantSeconds?: number;
}

export interface GraphSimulator {
  readonly authorityHost: string;
  readonly graphBaseUrl: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly servicePrincipalId: string;
  /** Managed identity, App Service style: what IDENTITY_ENDPOINT and IDENTITY_HEADER must be set to. */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
  /** The client id of the one user-assigned identity the simulator knows. */
  readonly managedIdentityClientId: string;
  readonly tenant: SimTenant;
  /** Links (nextLink, deltaLink) and the token resource use this base from now on: a fault proxy's own URL. */
  usePublicGraphBaseUrl(url: string): void;
  expireDeltaTokens(answer: ExpiredAnswer): void;
  injectFault(fault: FaultSpec): void;
  requests(): RequestRecord[];
  requestCounts(): Record<string, number>;
  clearRequests(): void;
  readonly events: EventEmitter;
  /** Change-notification subscriptions: list them, send lifecycle notifications, drop notifications, see deliveries. */
  readonly subscriptions: SubscriptionService;
  close(): Promise<void>;
}

export const DEFAULT_PERMISSIONS = ['User.Read.All', 'GroupMember.Read.All', 'Application.Read.All'];

/** Permissions that allow a subscription on users or groups, any one suffices (graph-notifications §1: the
 *  least privileged for groups is Group.Read.All; GroupMember.Read.All, enough for reading, does not do). */
const SUBSCRIPTION_PERMISSIONS = {
  users: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  groups: ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
} as const;

/** Permissions that allow a read, any one suffices (Graph permissions reference, least privileged first). */
const REQUIRED_PERMISSIONS = {
  users: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  groups: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  servicePrincipals: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
} as const;

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'InvalidAuthenticationToken', 403: 'Authorization_RequestDenied', 404: 'Request_ResourceNotFound',
  429: 'TooManyRequests', 500: 'generalException', 502: 'badGateway', 503: 'serviceNotAvailable', 504: 'gatewayTimeout',
};

interface Answer {
  status: number;
  body: unknown;
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  const { tenant } = options;
  const traffic = new TrafficControl(options.throttle ?? null);
  const directory = new DirectoryReader(tenant);
  const signingSecret = randomBytes(32);
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const settings: TokenIssuerSettings = {
    authorityHost: '', graphBaseUrl: '', tenantId: tenant.tenantId, clientId: options.clientId ?? tenant.appId,
    clientSecret, servicePrincipalId: tenant.servicePrincipalId, certificatePem: options.certificatePem ?? null,
    federatedToken: options.federatedToken ?? null, grantedPermissions: options.grantedPermissions ?? DEFAULT_PERMISSIONS,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600, signingSecret,
    identityHeader: randomBytes(16).toString('hex'), managedIdentityClientId: randomUUID(),
  };
  // Page sizes come from a fixed seed, so a run pages the same way each time.
  const subscriptions = new SubscriptionService(tenant, {
    tenantId: tenant.tenantId, appId: settings.clientId, servicePrincipalId: tenant.servicePrincipalId,
    ...(options.subscriptionGrantSeconds === undefined ? {} : { grantSeconds: options.subscriptionGrantSeconds }),
  });
  const delta = new DeltaService(tenant, new SeededRandom(1), options.pageSize ?? { min: 100, max: 200 }, () => settings.graphBaseUrl);

  const server = createServer(readServerTls(), (req, res) => {
    const url = new URL(req.url ?? '/', settings.graphBaseUrl);
    const segments = url.pathname.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
    if (segments[0] === '_sim') {
      handleControlRequest(req, res, segments.slice(1), {
        tenant, traffic, subscriptions, expireDeltaTokens: (answer) => delta.expireTokens(answer),
      }).catch((error: unknown) => answerError(res, error));
      return;
    }
    const record: RequestRecord = { method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, route: routeOf(segments), status: 0, at: Date.now() };
    // Recorded when the answer is handed over ('finish'), or at 'close' for a reset (status 0).
    let recorded = false;
    const recordOnce = (): void => {
      if (recorded) return;
      recorded = true;
      record.status = res.writableFinished ? res.statusCode : 0;
      traffic.record(record);
    };
    res.on('finish', recordOnce);
    res.on('close', recordOnce);
    const fault = traffic.takeFault(url.pathname, decodeURIComponent(url.search));
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'body') {
      res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json' }).end(fault.body ?? '');
      return;
    }
    if (fault?.kind === 'page') {
      answer(req, res, url, segments, record, fault.page).catch((error: unknown) => answerError(res, error));
      return;
    }
    if (fault) {
      const status = fault.status ?? 503;
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      sendGraphError(res, new GraphHttpError(status, ERROR_CODES[status] ?? 'UnknownError', 'Injected fault.', headers));
      return;
    }
    answer(req, res, url, segments, record).catch((error: unknown) => answerError(res, error));
  });

  async function answer(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[], record: RequestRecord, malformed?: MalformedPageShape): Promise<void> {
    const [first, second, third, fourth] = segments;
    if (req.method === 'GET' && first === 'msi' && second === 'token' && segments.length === 2) {
      return answerManagedIdentityRequest(res, url.searchParams, req.headers['x-identity-header'], settings);
    }
    if (req.method === 'GET' && second === 'v2.0' && third === '.well-known' && fourth === 'openid-configuration' && segments.length === 4) {
      return sendJson(res, 200, openIdConfiguration(settings));
    }
    if (req.method === 'POST' && second === 'oauth2' && third === 'v2.0' && fourth === 'token' && segments.length === 4) {
      const form = new URLSearchParams(await readBody(req));
      record.scope = form.get('scope') ?? '';
      return answerTokenRequest(res, first ?? '', form, settings);
    }
    if (first !== 'v1.0') throw new GraphHttpError(400, 'BadRequest', 'Invalid version.');
    if (second === 'subscriptions') return answerSubscriptions(req, res, segments.slice(2));
    // Graph's alternate key `servicePrincipals(appId='…')` is one segment; read it as resource plus id.
    const alternateKey = /^servicePrincipals(\(appId='[^']+'\))$/.exec(second ?? '')?.[1];
    if (alternateKey) segments.splice(1, 1, 'servicePrincipals', alternateKey);
    const resource = segments[1] as keyof typeof REQUIRED_PERMISSIONS | undefined;
    if (!resource || !(resource in REQUIRED_PERMISSIONS)) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${resource ?? ''}'.`);
    if (req.method !== 'GET') throw new GraphHttpError(405, 'Request_BadRequest', 'The simulator serves reads only.');
    authorize(req, REQUIRED_PERMISSIONS[resource]);
    const wait = traffic.throttledFor(Date.now());
    if (wait !== null) {
      throw new GraphHttpError(429, 'TooManyRequests', 'Too many requests. Please retry after the time given in Retry-After.', { 'retry-after': String(wait) });
    }
    const result = read(url, segments.slice(1));
    const bent = malformed && result.status === 200 ? malformPage(result.body as Record<string, unknown>, malformed) : result.body;
    sendJson(res, result.status, bent);
  }

  /** /v1.0/subscriptions[/{id}[/reauthorize]]: create (with the validation request), list, get, renew, delete. */
  async function answerSubscriptions(req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
    const [id, action] = rest;
    const method = req.method ?? 'GET';
    const throttle = (): void => {
      const wait = traffic.throttledFor(Date.now());
      if (wait !== null) throw new GraphHttpError(429, 'TooManyRequests', 'Too many requests. Please retry after the time given in Retry-After.', { 'retry-after': String(wait) });
    };
    if (method === 'POST' && rest.length === 0) {
      const body = await readJsonObject(req);
      const resource = typeof body.resource === 'string' ? body.resource.replace(/^\/+/, '') : '';
      authorize(req, resource === 'users' || resource === 'groups' ? SUBSCRIPTION_PERMISSIONS[resource] : null);
      throttle();
      return sendJson(res, 201, { '@odata.context': `${settings.graphBaseUrl}/v1.0/$metadata#subscriptions/$entity`, ...(await subscriptions.create(body)) });
    }
    authorize(req, null);
    throttle();
    if (method === 'GET' && rest.length === 0) return sendJson(res, 200, { '@odata.context': `${settings.graphBaseUrl}/v1.0/$metadata#subscriptions`, value: subscriptions.list() });
    if (!id) throw new GraphHttpError(405, 'Request_BadRequest', 'Method not allowed on subscriptions.');
    if (method === 'GET' && rest.length === 1) return sendJson(res, 200, subscriptions.get(id));
    if (method === 'PATCH' && rest.length === 1) return sendJson(res, 200, subscriptions.update(id, await readJsonObject(req)));
    if (method === 'DELETE' && rest.length === 1) {
      subscriptions.delete(id);
      res.writeHead(204).end();
      return;
    }
    if (method === 'POST' && action === 'reauthorize' && rest.length === 2) {
      subscriptions.reauthorize(id);
      res.writeHead(204).end();
      return;
    }
    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${rest.at(-1) ?? ''}'.`);
  }

  /** `allowed` null: any valid token will do. */
  function authorize(req: IncomingMessage, allowed: readonly string[] | null): void {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const check = checkAccessToken(token, signingSecret, tenant.tenantId, Math.floor(Date.now() / 1000));
    if (!check.ok) throw new GraphHttpError(401, 'InvalidAuthenticationToken', check.message);
    if (allowed && !check.roles.some((role) => allowed.includes(role))) {
      throw new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
  }

  /** Dispatches a Graph read; `segments` start after /v1.0. */
  function read(url: URL, segments: string[]): Answer {
    const params = url.searchParams;
    const [resource, id, relation] = segments;
    const collection = (result: { value: unknown[]; nextLink: string | null }, context: string): Answer => ({
      status: 200,
      body: {
        '@odata.context': `${settings.graphBaseUrl}/v1.0/$metadata#${context}`,
        ...(result.nextLink ? { '@odata.nextLink': result.nextLink } : {}),
        value: result.value,
      },
    });
    if ((resource === 'users' || resource === 'groups') && (id === 'delta' || id === 'delta()') && segments.length === 2) {
      const page = delta.readPage(resource, params);
      return {
        status: 200,
        body: {
          '@odata.context': `${settings.graphBaseUrl}/v1.0/$metadata#${resource}`,
          ...(page.nextLink ? { '@odata.nextLink': page.nextLink } : {}),
          ...(page.deltaLink ? { '@odata.deltaLink': page.deltaLink } : {}),
          value: page.value,
        },
      };
    }
    if (resource === 'users' && segments.length === 1) return collection(directory.users(params, url), 'users');
    if (resource === 'users' && id && segments.length === 2) return { status: 200, body: directory.user(id, params) };
    if (resource === 'users' && id && relation === 'memberOf' && segments.length === 3) {
      return collection(directory.memberOf(id, params, url), 'directoryObjects');
    }
    if (resource === 'groups' && segments.length === 1) return collection(directory.groups(params, url), 'groups');
    if (resource === 'groups' && id && segments.length === 2) return { status: 200, body: directory.group(id, params) };
    if (resource === 'groups' && id && relation === 'members' && segments.length === 3) {
      return collection(directory.members(id, params, url), 'directoryObjects');
    }
    if (resource === 'groups' && id && relation === 'transitiveMembers' && segments.length === 3) {
      return collection(directory.transitiveMembers(id, params, url), 'directoryObjects');
    }
    if (resource === 'servicePrincipals' && id && segments.length === 2) return { status: 200, body: directory.servicePrincipal(id, params) };
    if (resource === 'servicePrincipals' && id && relation === 'appRoleAssignedTo' && segments.length === 3) {
      return collection(directory.appRoleAssignedTo(id, params, url), `servicePrincipals('${id}')/appRoleAssignedTo`);
    }
    if (resource === 'servicePrincipals' && id && relation === 'appRoleAssignedTo' && segments.length === 4) {
      return { status: 200, body: directory.appRoleAssignment(id, segments[3] as string) };
    }
    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segments.at(-1) ?? ''}'.`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  settings.authorityHost = `https://127.0.0.1:${port}`;
  settings.graphBaseUrl = `https://${options.graphHostName ?? '127.0.0.1'}:${port}`;

  return {
    authorityHost: settings.authorityHost,
    get graphBaseUrl() { return settings.graphBaseUrl; },
    tenantId: tenant.tenantId,
    clientId: settings.clientId,
    clientSecret,
    servicePrincipalId: tenant.servicePrincipalId,
    identityEndpoint: `${settings.authorityHost}/msi/token`,
    identityHeader: settings.identityHeader,
    managedIdentityClientId: settings.managedIdentityClientId,
    tenant,
    usePublicGraphBaseUrl: (url) => { settings.graphBaseUrl = url.replace(/\/+$/, ''); },
    expireDeltaTokens: (answer) => delta.expireTokens(answer),
    injectFault: (fault) => traffic.injectFault(fault),
    requests: () => traffic.requests(),
    requestCounts: () => traffic.requestCounts(),
    clearRequests: () => traffic.clearRequests(),
    events: traffic.events,
    subscriptions,
    close: () => new Promise<void>((resolve, reject) => {
      subscriptions.close();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

function answerError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof GraphHttpError) return sendGraphError(res, error);
  sendGraphError(res, new GraphHttpError(500, 'generalException', error instanceof Error ? error.message : String(error)));
}

/** The route template a request matched, ids replaced by `{id}` (and tenant by `{tenant}`). */
function routeOf(segments: string[]): string {
  if (segments[0] === 'msi') return `/${segments.join('/')}`;
  if (segments[1] === 'oauth2' || segments[1] === 'v2.0') return `/{tenant}/${segments.slice(1).join('/')}`;
  if (segments[0] !== 'v1.0') return `/${segments.join('/')}`;
  return '/' + segments.map((part, index) => {
    if (index === 1) return part.replace(/\(appId='[^']+'\)$/, "(appId='{appId}')");
    // One assignment (`appRoleAssignedTo/{id}`) is counted by its route, not by its id.
    const item = index === 4 && segments[3] === 'appRoleAssignedTo';
    return (index === 2 && part !== 'delta' && part !== 'delta()') || item ? '{id}' : part;
  }).join('/');
}
