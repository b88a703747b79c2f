// Every request to Microsoft (token endpoint, managed identity endpoint, Graph) goes through one undici dispatcher
// that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and a failure to connect is described by its real cause.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { EnvHttpProxyAgent, fetch, type Dispatcher, type RequestInit } from 'undici';
import { describeNetworkFailure } from './network-failure.js';

/** undici's EnvHttpProxyAgent reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) when it is built. */
export function createOutboundDispatcher(): Dispatcher {
  return new EnvHttpProxyAgent();
}

/** Thrown when no answer arrived; the message names the cause (DNS, refused, TLS) and what to do about it. */
export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
}

async function send(dispatcher: Dispatcher, url: string, init: RequestInit, prefix = ''): Promise<Awaited<ReturnType<typeof fetch>>> {
  try {
    return await fetch(url, { ...init, dispatcher });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new NetworkFailure(`${prefix}${describeNetworkFailure(error, url)}`, { cause: error });
  }
}

/**
 * Thrown when the sign-in service answered but could not serve (429 or 5xx from the token or discovery endpoint): the
 * credentials were never judged, so it is an outage to retry, not a refusal to quarantine on.
 */
export class TokenServiceUnavailable extends Error {
  override readonly name = 'TokenServiceUnavailable';
}

/**
 * MSAL's network client. MSAL turns a failed OpenID discovery into a bare `endpoints_resolution_error`, and a 5xx
 * from the token endpoint into an error with an errorCode like any refusal, so the last failure is kept for the token
 * provider to report instead (`takeFailure`).
 */
export class MsalNetworkClient implements INetworkModule {
  private failure: NetworkFailure | TokenServiceUnavailable | null = null;

  constructor(private readonly dispatcher: Dispatcher) {}

  /** The network failure, or the answer of a sign-in service that could not serve, seen since the last call. */
  takeFailure(): NetworkFailure | TokenServiceUnavailable | null {
    const failure = this.failure;
    this.failure = null;
    return failure;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.request<T>(url, { method: 'GET', headers: options?.headers }, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.request<T>(url, { method: 'POST', headers: options?.headers, body: options?.body ?? '' });
  }

  private async request<T>(url: string, init: RequestInit, timeout?: number): Promise<NetworkResponse<T>> {
    let response;
    try {
      response = await send(this.dispatcher, url, timeout ? { ...init, signal: AbortSignal.timeout(timeout) } : init);
    } catch (error) {
      if (error instanceof NetworkFailure) this.failure = error;
      throw error;
    }
    const text = await response.text();
    if (response.status === 429 || response.status >= 500) {
      this.failure = new TokenServiceUnavailable(`${new URL(url).host} answered ${response.status}: Entra's sign-in service is unavailable; the next cycle tries again`);
    }
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      // MSAL reads `error`/`error_description` from the body; an HTML page from a proxy or portal becomes one.
      body = { error: 'invalid_response', error_description: `${url} answered ${response.status} with a body that is not JSON` } as T;
    }
    return { headers: Object.fromEntries(response.headers), body, status: response.status };
  }
}

/** The last link of the Graph client's middleware chain: sends the request through the outbound dispatcher. */
export class GraphFetchHandler implements Middleware {
  constructor(private readonly dispatcher: Dispatcher) {}

  async execute(context: Context): Promise<void> {
    const request = context.request;
    const url = typeof request === 'string' ? request : request.url;
    const options = context.options ?? {};
    const response = await send(this.dispatcher, url, {
      method: options.method ?? 'GET',
      headers: options.headers as Record<string, string> | undefined,
      body: options.body as RequestInit['body'],
      signal: options.signal ?? undefined,
    }, 'Graph request failed: ');
    context.response = response as unknown as Response;
  }
}
