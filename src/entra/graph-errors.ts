// Graph read failures as values with a kind, decided once from the HTTP answer; the import switches on `kind`.
import { GraphError } from '@microsoft/microsoft-graph-client';
import { redactText } from '../observe/redact.js';

export type GraphReadErrorKind =
  /** The delta token is gone (410, or syncStateNotFound): start a full read (reference §1.1). */
  | 'resync'
  | 'not-found'
  /** 401/403 or no token: credentials or permissions are wrong; retrying will not help. */
  | 'auth'
  /** 429/5xx/network after the retries ran out. */
  | 'transient'
  | 'bad-request'
  /** A 200 answer that is not the documented shape (graph-page.ts): the read fails closed. */
  | 'malformed'
  | 'aborted';

export class GraphReadError extends Error {
  override readonly name = 'GraphReadError';
  constructor(
    readonly kind: GraphReadErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    // Graph may echo the request's Authorization header in an error body: redacted at the source.
    super(redactText(message));
  }
}

const RESYNC_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);

/** Narrows whatever the Graph client or MSAL threw into a GraphReadError. */
export function toGraphReadError(error: unknown, signal?: AbortSignal): GraphReadError {
  if (error instanceof GraphReadError) return error;
  if (signal?.aborted) return new GraphReadError('aborted', 'the import was stopped');
  if (error instanceof GraphError && error.statusCode > 0) {
    const status = error.statusCode;
    const code = error.code ?? undefined;
    const message = `Graph answered ${status}${code ? ` ${code}` : ''}: ${error.message}`;
    if (status === 410 || (code && RESYNC_CODES.has(code.toLowerCase()))) return new GraphReadError('resync', message, status, code);
    if (status === 404) return new GraphReadError('not-found', message, status, code);
    if (status === 401 || status === 403) return new GraphReadError('auth', message, status, code);
    if (status === 429 || status >= 500) return new GraphReadError('transient', message, status, code);
    return new GraphReadError('bad-request', message, status, code);
  }
  const message = error instanceof Error ? error.message : String(error);
  // The Graph client wraps what the middleware threw into a GraphError whose `code` is the thrown error's name.
  const name = error instanceof GraphError ? error.code : error instanceof Error ? error.name : undefined;
  if (name === 'TokenRequestError') return new GraphReadError('auth', message);
  if (name === 'NetworkFailure' || name === 'TokenServiceUnavailable') return new GraphReadError('transient', message);
  // MSAL errors carry an errorCode (invalid_client, unauthorized_client, …): a credential problem.
  if (typeof error === 'object' && error !== null && 'errorCode' in error) return new GraphReadError('auth', `token request failed: ${message}`);
  return new GraphReadError('transient', `Graph request failed: ${message}`);
}
