// The Graph client's middleware chain: the library's RetryHandler retries 429/503/504 and honours Retry-After
// (reference §6.3, Graph throttling guidance), and under it, on every attempt, GraphRequestPolicy sets a fresh
// bearer token, counts the request and reports each answer (or 'error' when none came) to the metrics hook. The
// library retries answers only: a read whose connection dropped before any answer is tried again here.
import { RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import pRetry from 'p-retry';
import { countHttpAnswer } from '../observe/index.js';
import type { Dispatcher } from 'undici';
import type { TokenProvider } from './credentials.js';
import { networkErrorCode } from './network-failure.js';
import { GraphFetchHandler, NetworkFailure } from './outbound-http.js';

export interface RequestCounts {
  requests: number;
  throttled: number;
}

/** Retries after the first answer: with Retry-After honoured, enough to ride out a throttling burst. */
const MAX_RETRIES = 5;
/** Seconds before the first retry when Graph sends no Retry-After; the library backs off exponentially from it. */
const FIRST_DELAY_SECONDS = 1;

/**
 * A kept-alive connection the other side (Graph, a proxy, a load balancer) closed while it sat idle, or one reset in
 * flight: no answer came, and a read is safe to send again. A refused connection, DNS or TLS failure is not retried:
 * it says something about the configuration that a retry would only delay.
 */
const DROPPED_CONNECTION = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);
const DROPPED_CONNECTION_RETRIES = 2;
const DROPPED_CONNECTION_DELAY_MS = 250;

const droppedRead = (method: string, error: unknown): boolean =>
  (method === 'GET' || method === 'HEAD') && error instanceof NetworkFailure && DROPPED_CONNECTION.has(networkErrorCode(error) ?? '');

export function createGraphMiddleware(tokens: TokenProvider, counts: RequestCounts, dispatcher: Dispatcher, signal?: AbortSignal): Middleware {
  // Once the import is stopped, no retry is started. The library's wait cannot be interrupted: a stop during a
  // wait takes effect when it ends (Retry-After as Graph sent it, at most 180 s by the library's cap).
  const retry = new RetryHandler(new RetryHandlerOptions(FIRST_DELAY_SECONDS, MAX_RETRIES, (_delay, _attempt, _request, _options, response) => {
    void response.body?.cancel().catch(() => undefined);
    return signal?.aborted !== true;
  }));
  const policy = new GraphRequestPolicy(tokens, counts, signal);
  retry.setNext(policy);
  policy.setNext(new GraphFetchHandler(dispatcher));
  return retry;
}

class GraphRequestPolicy implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly tokens: TokenProvider,
    private readonly counts: RequestCounts,
    private readonly signal?: AbortSignal,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('GraphRequestPolicy needs a next middleware');
    this.signal?.throwIfAborted();
    const headers = (context.options ??= {}).headers as Record<string, string> | undefined;
    context.options.headers = { ...headers, Authorization: `Bearer ${await this.tokens.getAccessToken()}` };
    if (this.signal) context.options.signal = this.signal;
    const method = context.options.method ?? 'GET';
    const next = this.next;
    await pRetry(async () => {
      this.counts.requests += 1;
      try {
        await next.execute(context);
      } catch (error) {
        countHttpAnswer('graph', method, 'error');
        throw error;
      }
    }, {
      retries: DROPPED_CONNECTION_RETRIES,
      minTimeout: DROPPED_CONNECTION_DELAY_MS,
      ...(this.signal ? { signal: this.signal } : {}),
      shouldRetry: ({ error }) => droppedRead(method, error) && this.signal?.aborted !== true,
    });
    const status = context.response?.status;
    countHttpAnswer('graph', method, status ?? 'error');
    if (status === 429) this.counts.throttled += 1;
  }
}
