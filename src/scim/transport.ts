// One keep-alive undici agent per target: bearer auth, JSON out, timeouts, HTTPS_PROXY / NO_PROXY, and network
// failures told apart by whether they were sent.
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { isLoopbackHost } from '../config/index.js';
import type { HttpAnswer, ScimRequestInfo } from './errors.js';

export interface TransportTimeouts {
  connectMs?: number;
  headersMs?: number;
  bodyMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  token: string;
  timeouts?: TransportTimeouts;
  maxConnections: number;
  signal?: AbortSignal;
  /**
   * Replaces the pool. Tests pass undici's MockAgent here: nock intercepts node:http and global fetch but not
   * undici's own Pool, so this is the only honest way to script malformed answers (HTML page, truncated JSON).
   */
  dispatcher?: Dispatcher;
}

/** A network failure (reset, timeout, refused), with whether the request may have reached the server. */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  constructor(
    message: string,
    readonly maybeSent: boolean,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

export interface Transport {
  send(method: string, pathAndQuery: string, body?: unknown): Promise<HttpAnswer>;
  requestInfo(method: string, pathAndQuery: string): ScimRequestInfo;
  /** Whether the target (its origin) has answered anything, any status, in this process: a client per cycle shares it. */
  hasAnswered(): boolean;
  close(): Promise<void>;
}

/**
 * Why no connection was made: a host name that does not resolve, a certificate this machine does not trust (or that
 * names another host), or a connection refused or unreachable. Read only for a target that has never answered.
 */
export type ConnectFailure = 'unresolved' | 'certificate' | 'unconnected';

const certificateCodes = [
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'INVALID_CA', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
];

const connectFailures = new Map<string, ConnectFailure>([
  ['ENOTFOUND', 'unresolved'],
  ['EAI_AGAIN', 'unconnected'],
  ['ECONNREFUSED', 'unconnected'],
  ['EHOSTUNREACH', 'unconnected'],
  ['ENETUNREACH', 'unconnected'],
  ['UND_ERR_CONNECT_TIMEOUT', 'unconnected'],
  ...certificateCodes.map((code) => [code, 'certificate'] as const),
]);

export function connectFailureOf(failure: NetworkFailure): ConnectFailure | undefined {
  return failure.code === undefined ? undefined : connectFailures.get(failure.code);
}

/**
 * Failures raised before a byte of the request left this machine (no connection, a TLS handshake that failed before
 * the request was written, a client already closed): safe to retry even for a POST.
 */
function notSent(code: string): boolean {
  return connectFailures.has(code) || code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED';
}

/** Origins that have answered in this process: kept beyond one client, as the worker makes a client per cycle. */
const answeredOrigins = new Set<string>();

/** Throws a clear error unless the base URL is https, or http to this machine (simulators, tests). */
export function checkedBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`SCIM base URL "${baseUrl}" is not an absolute URL such as https://api.notion.com/scim/v2`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  throw new Error(`SCIM base URL "${baseUrl}" must use https (plain http is allowed only for loopback hosts): the token would travel in clear`);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createTransport(options: TransportOptions): Transport {
  const base = checkedBaseUrl(options.baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const timeouts = options.timeouts ?? {};
  // EnvHttpProxyAgent reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) now: through the proxy unless
  // NO_PROXY names the host; `connections` caps the sockets to the target's origin either way.
  const dispatcher =
    options.dispatcher ??
    new EnvHttpProxyAgent({
      connections: options.maxConnections,
      connect: { timeout: timeouts.connectMs ?? 10_000 },
      headersTimeout: timeouts.headersMs ?? 30_000,
      bodyTimeout: timeouts.bodyMs ?? 30_000,
    });

  const requestInfo = (method: string, pathAndQuery: string): ScimRequestInfo => ({ method, url: `${origin}${basePath}${pathAndQuery}` });

  async function send(method: string, pathAndQuery: string, body?: unknown): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'application/scim+json, application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await dispatcher.request({
        origin,
        method: method as Dispatcher.HttpMethod,
        path: `${basePath}${pathAndQuery}`,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: options.signal ?? null,
      });
      answeredOrigins.add(origin);
      const bodyText = await response.body.text();
      const header = (name: string): string | undefined => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      return { status: response.statusCode, contentType: header('content-type'), retryAfter: header('retry-after'), bodyText };
    } catch (cause) {
      const code = errorCode(cause);
      const maybeSent = code === undefined || !notSent(code);
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new NetworkFailure(reason, maybeSent, code, cause);
    }
  }

  return {
    send,
    requestInfo,
    hasAnswered: () => answeredOrigins.has(origin),
    close: async () => {
      if (options.dispatcher === undefined) await dispatcher.close();
    },
  };
}
