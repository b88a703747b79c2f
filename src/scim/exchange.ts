// One SCIM request as the client sees it: through the limiter, retried when transient, answered or typed as a ScimError.
import type { Logger } from 'pino';
import pRetry from 'p-retry';
import { countHttpAnswer } from '../observe/http-answers.js';
import { errorFromAnswer, isThrottleStatus, ScimError, type HttpAnswer, type ScimErrorKind, type ScimRequestInfo } from './errors.js';
import type { Throttle } from './throttle.js';
import { connectFailureOf, NetworkFailure, type ConnectFailure, type Transport } from './transport.js';

export const defaultRetryMinDelayMs = 1_000;

export interface RetryOptions {
  retries?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface RequestEvent {
  method: string;
  path: string;
  status: number | 'error';
  durationMs: number;
}

export interface ExchangeStats {
  requests: number;
  throttled: number;
  retries: number;
}

export interface ExchangeOptions {
  transport: Transport;
  throttle: Throttle;
  retry?: RetryOptions;
  signal?: AbortSignal;
  logger?: Logger;
  onRequest?: (event: RequestEvent) => void;
}

export interface ExchangeRequest {
  body?: unknown;
  /** Error kinds the caller reads as an answer (a 404 on DELETE means "already absent"): returned, not thrown. */
  accept?: readonly ScimErrorKind[];
  /** Overrides the status-based kind of a failed answer, e.g. Notion's 500 on a userName collision → conflict. */
  kindFor?: (answer: HttpAnswer) => ScimErrorKind | undefined;
}

export interface ExchangeResult {
  answer: HttpAnswer;
  request: ScimRequestInfo;
  /** Set when the answer was an error of an accepted kind. */
  rejected?: ScimError;
}

export interface Exchange {
  send(method: string, pathAndQuery: string, request?: ExchangeRequest): Promise<ExchangeResult>;
  stats(): ExchangeStats;
}

/**
 * Retries for a request that could not reach a target that has never answered this process (transport.hasAnswered):
 * a name that does not resolve or a certificate refused will not mend in the seconds back-off waits, and retrying
 * them only delays the operator's answer (five retries took 40-55 s before `plan` said so); a refused or unreachable
 * connection gets one, after the first delay (1-2 s), for a proxy or sidecar that is still starting. Once the target
 * has answered, the same failures are blips and get every retry, as 429 and 5xx always do.
 */
const firstContactRetries: Record<ConnectFailure, number> = { unresolved: 0, certificate: 0, unconnected: 1 };

/**
 * A create whose request may have reached the server: a retry could make a duplicate, so the engine looks the
 * object up first (ARCHITECTURE.md, principle 3). 503 and throttling say the server did not act on it.
 */
function createOutcomeUnknown(method: string, answer: HttpAnswer): boolean {
  return method === 'POST' && answer.status >= 500 && answer.status !== 503 && !isThrottleStatus(answer.status);
}

export function createExchange(options: ExchangeOptions): Exchange {
  const { transport, throttle, logger } = options;
  const counts: ExchangeStats = { requests: 0, throttled: 0, retries: 0 };

  /** The most retries this failure may have, when it is a first contact that failed; undefined: the configured number. */
  const retryCap = (error: ScimError): number | undefined => {
    if (transport.hasAnswered() || !(error.cause instanceof NetworkFailure)) return undefined;
    const failure = connectFailureOf(error.cause);
    return failure === undefined ? undefined : firstContactRetries[failure];
  };

  async function attempt(method: string, pathAndQuery: string, request: ExchangeRequest): Promise<ExchangeResult> {
    const info = transport.requestInfo(method, pathAndQuery);
    const path = pathAndQuery.split('?')[0] ?? pathAndQuery;
    let startedAt = 0;
    const report = (status: number | 'error'): void => {
      const durationMs = Date.now() - startedAt;
      options.onRequest?.({ method, path, status, durationMs });
      countHttpAnswer('scim', method, status);
      logger?.debug({ event: 'scim.request', method, path, status, durationMs });
    };
    const answer = await throttle.schedule(async () => {
      if (options.signal?.aborted) {
        // Shut down while queued: nothing was sent, so even a create is safely "not done".
        throw new ScimError({ kind: 'transient', message: `${method} ${info.url} not sent: the client was stopped`, request: info, cause: options.signal.reason });
      }
      startedAt = Date.now();
      counts.requests += 1;
      try {
        const received = await transport.send(method, pathAndQuery, request.body);
        // Noted before anything else runs, so that no request asked for from here on escapes the pause.
        if (isThrottleStatus(received.status)) throttle.noteThrottled(startedAt, errorFromAnswer(received, info).retryAfterMs);
        else throttle.noteAccepted();
        report(received.status);
        return received;
      } catch (failure) {
        report('error');
        if (!(failure instanceof NetworkFailure)) throw failure;
        const unknown = method === 'POST' && failure.maybeSent;
        throw new ScimError({
          kind: unknown ? 'outcome-unknown' : 'transient',
          message: `${method} ${info.url} failed: ${failure.message}${failure.code ? ` (${failure.code})` : ''}`,
          request: info,
          cause: failure,
        });
      }
    });
    if (isThrottleStatus(answer.status)) {
      counts.throttled += 1;
      const error = errorFromAnswer(answer, info);
      // Handled: the limiter pauses and the request is retried. A warning only if the retries run out (send).
      logger?.info({ event: 'scim.throttled', method, path, status: answer.status, retryAfterMs: error.retryAfterMs, requestsPerSecond: throttle.currentRequestsPerSecond() });
      throw error;
    }
    if (answer.status >= 200 && answer.status < 300) return { answer, request: info };
    const kind = request.kindFor?.(answer) ?? (createOutcomeUnknown(method, answer) ? 'outcome-unknown' : undefined);
    const error = errorFromAnswer(answer, info, kind);
    if (request.accept?.includes(error.kind)) return { answer, request: info, rejected: error };
    throw error;
  }

  async function send(method: string, pathAndQuery: string, request: ExchangeRequest = {}): Promise<ExchangeResult> {
    const retry = options.retry ?? {};
    const attempts = pRetry(() => attempt(method, pathAndQuery, request), {
      retries: retry.retries ?? 5,
      minTimeout: retry.minDelayMs ?? defaultRetryMinDelayMs,
      maxTimeout: retry.maxDelayMs ?? 30_000,
      factor: 2,
      randomize: true,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: ({ error, attemptNumber }) => {
        const again = error instanceof ScimError && error.kind === 'transient' && options.signal?.aborted !== true && attemptNumber <= (retryCap(error) ?? Infinity);
        if (again) {
          counts.retries += 1;
          logger?.info({ event: 'scim.retry', method: error.request.method, url: error.request.url, status: error.status, kind: error.kind });
        }
        return again;
      },
    });
    return attempts.catch((error: unknown) => {
      if (error instanceof ScimError && error.status !== undefined && isThrottleStatus(error.status)) {
        logger?.warn({ event: 'scim.throttled.gave-up', method, url: error.request.url, status: error.status, retryAfterMs: error.retryAfterMs });
      }
      throw error;
    });
  }

  return { send, stats: () => ({ ...counts }) };
}
