// Starts the Notion SCIM workspace simulator on a loopback port and wires state, traffic rules and the control API.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerControl } from './control-api.js';
import { answerGroups } from './group-routes.js';
import { readBodyText, sendAnswer, sendFault, sendJson } from './http-answers.js';
import { defaultOptions, type NotionFault, type NotionSimulatorOptions, type ResolvedOptions } from './options.js';
import { resourceTypes, serviceProviderConfig } from './resources.js';
import type { RouteContext, ScimAnswer } from './routes.js';
import { ScimHttpError, scimErrorBody } from './scim-error.js';
import { FaultPlan, RequestLog, TokenBucket, type RequestLogEntry } from './traffic.js';
import { answerUsers } from './user-routes.js';
import { NotionWorkspace } from './workspace.js';

const scimPrefix = '/scim/v2';

export interface NotionSimulator {
  /** Base URL of the SCIM API, 'http://127.0.0.1:<port>/scim/v2'. */
  readonly url: string;
  /** Base URL of the control API, 'http://127.0.0.1:<port>/_sim'. */
  readonly controlUrl: string;
  readonly token: string;
  readonly options: Readonly<ResolvedOptions>;
  /** In-memory state; direct edits here play drift made by hand in Notion. */
  readonly workspace: NotionWorkspace;
  /** Changes switches at run time; `port` cannot change. */
  setOptions(partial: Partial<NotionSimulatorOptions>): void;
  injectFault(fault: NotionFault): void;
  faults(): NotionFault[];
  clearFaults(): void;
  requests(): RequestLogEntry[];
  /** Requests per method and route, e.g. { 'POST /Users': 12, 'PATCH /Groups/:id': 3 }. */
  requestCounts(): Record<string, number>;
  clearRequests(): void;
  /** Emits 'request' with the log entry after each SCIM request is answered (or reset, or left hanging). */
  readonly events: EventEmitter;
  close(): Promise<void>;
}

export async function startNotionSimulator(options: NotionSimulatorOptions = {}): Promise<NotionSimulator> {
  let current: ResolvedOptions = merge(defaultOptions, options);
  let bucket = bucketFor(current);
  const workspace = new NotionWorkspace();
  workspace.membershipsOnRemoval = current.membershipsOnRemoval;
  const faultPlan = new FaultPlan();
  faultPlan.seed(current.faultSeed);
  const log = new RequestLog();
  const events = new EventEmitter();
  const hanging = new Set<ServerResponse>();
  const context = (): RouteContext => ({ workspace, options: current });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, scimErrorBody(500, error instanceof Error ? error.message : 'Internal error'));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(current.port, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const simulator: NotionSimulator = {
    url: `${origin}${scimPrefix}`,
    controlUrl: `${origin}/_sim`,
    get token() {
      return current.token;
    },
    get options() {
      return current;
    },
    workspace,
    setOptions(partial) {
      current = merge(current, { ...partial, port: current.port });
      if ('rateLimit' in partial) bucket = bucketFor(current);
      if ('faultSeed' in partial) faultPlan.seed(current.faultSeed);
      workspace.membershipsOnRemoval = current.membershipsOnRemoval;
    },
    injectFault: (fault) => faultPlan.add(fault),
    faults: () => faultPlan.list(),
    clearFaults: () => faultPlan.clear(),
    requests: () => log.list(),
    requestCounts: () => log.countsByRoute(),
    clearRequests: () => log.clear(),
    events,
    async close() {
      for (const response of hanging) response.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', origin);
    const method = request.method ?? 'GET';
    const text = await readBodyText(request);
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      const answer = answerControl(simulator, method, url.pathname.split('/').filter(Boolean).slice(1), text);
      return sendJson(response, answer.status, answer.body);
    }
    if (!url.pathname.startsWith(`${scimPrefix}/`)) return sendJson(response, 404, scimErrorBody(404, 'Not found'));

    const path = url.pathname.slice(scimPrefix.length);
    const entry: RequestLogEntry = { method, path, query: url.search.slice(1), status: 0, at: Date.now(), ...(text ? { body: parseOrKeep(text) } : {}) };
    const finish = (status: number) => {
      entry.status = status;
      log.record(entry);
      events.emit('request', entry);
    };
    if (current.latencyMs > 0) await sleep(current.latencyMs);
    const fault = faultPlan.draw(method, path);
    if (fault && fault.when !== 'after') return finish(sendFault(request, response, fault, undefined, hanging));
    const answer = answerScim(method, path, url.searchParams, text, request.headers.authorization);
    if (fault) return finish(sendFault(request, response, fault, answer, hanging));
    sendAnswer(response, answer);
    finish(answer.status);
  }

  function answerScim(method: string, path: string, query: URLSearchParams, text: string, authorization: string | undefined): ScimAnswer {
    try {
      const limit = bucket?.take();
      if (limit && !limit.allowed) {
        throw new ScimHttpError(429, 'Rate limited', undefined, { 'Retry-After': String(limit.retryAfterSeconds) });
      }
      const segments = path.split('/').filter(Boolean);
      const [collection] = segments;
      // ServiceProviderConfig answers without authentication (reference §1.2, observed).
      if (collection === 'ServiceProviderConfig' && segments.length === 1 && method === 'GET') {
        return { status: 200, body: serviceProviderConfig(current.pageSizeCap) };
      }
      // 401 or 403 for a bad token is a gap (§1.2); 401 is the RFC answer.
      if (!/^bearer\s+/i.test(authorization ?? '') || authorization?.replace(/^bearer\s+/i, '') !== current.token) {
        throw new ScimHttpError(401, 'Invalid or missing bearer token');
      }
      const scimRequest = { method, segments, query, body: parseBody(text) };
      if (collection === 'Users') return answerUsers(context(), scimRequest);
      if (collection === 'Groups') return answerGroups(context(), scimRequest);
      if (collection === 'ResourceTypes' && segments.length === 1 && method === 'GET') return { status: 200, body: resourceTypes() };
      throw new ScimHttpError(404, `No endpoint ${path}`);
    } catch (error) {
      if (!(error instanceof ScimHttpError)) throw error;
      return { status: error.status, body: scimErrorBody(error.status, error.message, error.scimType), headers: error.headers };
    }
  }

  return simulator;
}

/** Requests may be application/json or application/scim+json (reference §1.3): any body is read as JSON. */
function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ScimHttpError(400, 'The request body is not valid JSON', 'invalidSyntax');
  }
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A key given as undefined goes back to its default (so `tokenOwnerUserName: undefined` clears it). */
function merge(base: ResolvedOptions, changes: NotionSimulatorOptions): ResolvedOptions {
  const resolved = Object.entries(changes).map(([key, value]) => [key, value === undefined ? defaultOptions[key as keyof ResolvedOptions] : value]);
  return { ...base, ...Object.fromEntries(resolved) };
}

function bucketFor(options: ResolvedOptions): TokenBucket | undefined {
  return options.rateLimit ? new TokenBucket(options.rateLimit.requestsPerSecond, options.rateLimit.burst) : undefined;
}
