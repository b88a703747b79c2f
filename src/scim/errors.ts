// The SCIM error taxonomy: one place that turns an HTTP answer or a network failure into a typed ScimError.
import { redactText } from '../observe/redact.js';

/** What a failure means for the engine; each kind has one defined effect (see ARCHITECTURE.md, "Errors have a type"). */
export type ScimErrorKind =
  | 'transient'
  | 'not-found'
  | 'conflict'
  | 'bad-request'
  | 'auth'
  | 'unexpected-response'
  | 'outcome-unknown';

/** The request an error came from; the URL never carries the token (it travels in a header only). */
export interface ScimRequestInfo {
  method: string;
  url: string;
}

export interface ScimErrorInit {
  kind: ScimErrorKind;
  message: string;
  request: ScimRequestInfo;
  status?: number;
  detail?: string;
  scimType?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ScimError extends Error {
  override readonly name = 'ScimError';
  readonly kind: ScimErrorKind;
  readonly status?: number;
  readonly detail?: string;
  readonly scimType?: string;
  readonly request: ScimRequestInfo;
  readonly retryAfterMs?: number;

  constructor(init: ScimErrorInit) {
    // Redacted at the source: a server may echo the request's Authorization header (or any secret) in its body,
    // and this message travels on to logs, the store and the terminal.
    super(redactText(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.request = init.request;
    if (init.status !== undefined) this.status = init.status;
    if (init.detail !== undefined) this.detail = redactText(init.detail);
    if (init.scimType !== undefined) this.scimType = init.scimType;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/** An HTTP answer as the transport hands it over: status, the headers we read, and the raw body text. */
export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  bodyText: string;
}

/** Statuses that ask the client to slow down: 429, and 529 "service_overload" (reference §5.1). */
export function isThrottleStatus(status: number): boolean {
  return status === 429 || status === 529;
}

/** Reads Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when the body is declared (or, with no declared type, looks) like JSON: Notion's type is undocumented (§1.3). */
export function isJsonAnswer(answer: HttpAnswer): boolean {
  if (answer.contentType !== undefined) return /json/i.test(answer.contentType);
  return /^\s*[[{]/.test(answer.bodyText);
}

/** Parses a JSON body, or throws unexpected-response naming what came instead (HTML page, truncated JSON). */
export function parseJsonBody(answer: HttpAnswer, request: ScimRequestInfo): unknown {
  if (!isJsonAnswer(answer)) {
    throw new ScimError({
      kind: 'unexpected-response',
      message: `${request.method} ${request.url} answered ${answer.status} with ${answer.contentType ?? 'an untyped body'}, not JSON`,
      status: answer.status,
      detail: answer.bodyText.slice(0, 200),
      request,
    });
  }
  try {
    return JSON.parse(answer.bodyText) as unknown;
  } catch (cause) {
    throw new ScimError({
      kind: 'unexpected-response',
      message: `${request.method} ${request.url} answered ${answer.status} with malformed JSON`,
      status: answer.status,
      detail: answer.bodyText.slice(0, 200),
      request,
      cause,
    });
  }
}

/** The SCIM Error fields of a body (RFC 7644 §3.12), when the body is a JSON object carrying them. */
function scimErrorFields(answer: HttpAnswer): { detail?: string; scimType?: string } {
  if (!isJsonAnswer(answer)) return {};
  try {
    const body = JSON.parse(answer.bodyText) as unknown;
    if (typeof body !== 'object' || body === null) return {};
    const record = body as Record<string, unknown>;
    const fields: { detail?: string; scimType?: string } = {};
    if (typeof record.detail === 'string') fields.detail = record.detail;
    else if (typeof record.message === 'string') fields.detail = record.message;
    if (typeof record.scimType === 'string') fields.scimType = record.scimType;
    return fields;
  } catch {
    return {};
  }
}

function kindOfStatus(status: number, answer: HttpAnswer): ScimErrorKind {
  if (status === 401 || status === 403) return 'auth';
  // A 404 that is not JSON is a web server's page (wrong base URL, proxy), not SCIM saying "no such object":
  // reading it as not-found would make the engine re-create or forget objects that exist.
  if (status === 404) return isJsonAnswer(answer) || answer.bodyText.trim() === '' ? 'not-found' : 'unexpected-response';
  if (status === 409) return 'conflict';
  if (status === 408 || isThrottleStatus(status) || status >= 500) return 'transient';
  if (status >= 400) return 'bad-request';
  return 'unexpected-response';
}

/** The error for a non-2xx answer, classified by status alone; callers refine it with what they sent. */
export function errorFromAnswer(answer: HttpAnswer, request: ScimRequestInfo, kind?: ScimErrorKind): ScimError {
  const fields = scimErrorFields(answer);
  const retryAfterMs = isThrottleStatus(answer.status) || answer.status === 503 ? parseRetryAfter(answer.retryAfter) : undefined;
  const decided = kind ?? kindOfStatus(answer.status, answer);
  const text = fields.detail ?? (isJsonAnswer(answer) ? '' : answer.bodyText.slice(0, 120).replace(/\s+/g, ' ').trim());
  return new ScimError({
    kind: decided,
    message: `${request.method} ${request.url} failed with ${answer.status}${text ? `: ${text}` : ''}`,
    status: answer.status,
    ...fields,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    request,
  });
}
