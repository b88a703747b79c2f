// The Graph client's middleware: a fresh bearer token on each attempt, retries of 429/503/504 that honour
// Retry-After (reference §6.3, Graph throttling guidance), retries of dropped connections, and counting.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenProvider } from './credentials.js';

export interface RequestCounts {
  requests: number;
  throttled: number;
}

/** Statuses Graph documents as "try again later"; other errors are answers to act on, not to repeat. */
const RETRY_STATUSES = new Set([429, 503, 504]);
const MAX_ATTEMPTS = 6;
const MAX_BACKOFF_SECONDS = 30;

export class GraphRequestPolicy implements Middleware {
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
    for (let attempt = 1; ; attempt += 1) {
      this.signal?.throwIfAborted();
      const headers = (context.options ??= {}).headers as Record<string, string> | undefined;
      context.options.headers = { ...headers, Authorization: `Bearer ${await this.tokens.getAccessToken()}` };
      if (this.signal) context.options.signal = this.signal;
      this.counts.requests += 1;
      try {
        await this.next.execute(context);
      } catch (error) {
        // A reset connection has no answer to honour: back off and try again, a bounded number of times.
        if (this.signal?.aborted || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(backoffSeconds(attempt), this.signal);
        continue;
      }
      const response = context.response;
      if (!response || !RETRY_STATUSES.has(response.status) || attempt >= MAX_ATTEMPTS) return;
      if (response.status === 429) this.counts.throttled += 1;
      const wait = retryAfterSeconds(response.headers.get('retry-after')) ?? backoffSeconds(attempt);
      await response.arrayBuffer().catch(() => undefined);
      await sleep(wait, this.signal);
    }
  }
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function backoffSeconds(attempt: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
}

function sleep(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, seconds * 1000);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
