// The Graph client's middleware chain: the library's RetryHandler retries 429/503/504 and honours Retry-After
// (reference §6.3, Graph throttling guidance), and under it, on every attempt, GraphRequestPolicy sets a fresh
// bearer token, counts the request and reports each answer (or 'error' when none came) to the metrics hook.
import { RetryHandler, RetryHandlerOptions, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { countHttpAnswer } from '../observe/index.js';
import type { Dispatcher } from 'undici';
import type { TokenProvider } from './credentials.js';
import { GraphFetchHandler } from './outbound-http.js';

export interface RequestCounts {
  requests: number;
  throttled: number;
}

/** Retries after the first answer: with Retry-After honoured, enough to ride out a throttling burst. */
const MAX_RETRIES = 5;
/** Seconds before the first retry when Graph sends no Retry-After; the library backs off exponentially from it. */
const FIRST_DELAY_SECONDS = 1;

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
    this.counts.requests += 1;
    try {
      await this.next.execute(context);
    } catch (error) {
      countHttpAnswer('graph', method, 'error');
      throw error;
    }
    const status = context.response?.status;
    countHttpAnswer('graph', method, status ?? 'error');
    if (status === 429) this.counts.throttled += 1;
  }
}
