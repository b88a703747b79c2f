// The SCIM error taxonomy: one place that turns an HTTP answer or a network failure into a typed ScimError.
import { redactText } from '../observe/redact.js';
import { connectFailureOf, NetworkFailure } from './transport.js';

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

/**
 * Refusals with a remedy of their own, named in the escrow so that an admin knows what to do (reference §3.3, §3.5,
 * §4, §9): Notion documents that these are refused, not with which status or text (gaps), so they are recognised
 * by what was sent and by the answer's words (refusalOf).
 */
export type ScimRefusal = 'unverified-domain' | 'workspace-owner' | 'token-owner' | 'not-a-member';

export interface ScimErrorInit {
  kind: ScimErrorKind;
  refusal?: ScimRefusal;
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
  readonly refusal?: ScimRefusal;
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
    if (init.refusal !== undefined) this.refusal = init.refusal;
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

/** What a refused write to one user or membership was, for refusalOf: a removal, a change of the email or name, or a membership. */
export type RefusedWrite =
  | { kind: 'user-removal' }
  | { kind: 'user-change'; identity: boolean; role: boolean }
  | { kind: 'membership' };

const mentionsTokenOwner = (text: string): boolean => /\b(token|bot)\b/.test(text) && /owner|creat|revok/.test(text);

/**
 * Which specific refusal a failed write is, if any. Called only with answers that say nothing about the token (a 403
 * is first proven not to be one: see the client), so `auth` never reaches here. The words come first; without them,
 * what was sent decides: a removal refused is an owner's (§3.3: the token's owner cannot be removed), an email or
 * name change refused is an unverified domain's (§3.5), a member refused alone is not a workspace member (§4).
 */
export function refusalOf(write: RefusedWrite, error: ScimError): ScimRefusal | undefined {
  if (error.kind !== 'bad-request' && error.kind !== 'conflict') return undefined;
  const text = `${error.detail ?? ''} ${error.scimType ?? ''}`.toLowerCase();
  if (write.kind === 'membership') return error.status === 413 ? undefined : 'not-a-member';
  if (mentionsTokenOwner(text)) return 'token-owner';
  if (write.kind === 'user-removal') return /owner/.test(text) || error.status !== 403 ? 'workspace-owner' : 'token-owner';
  // A 409 (or Notion's 500) on an email change is a collision with another account (§3.5), not a domain question.
  if (error.kind !== 'bad-request') return undefined;
  if (/domain|verif/.test(text)) return write.identity ? 'unverified-domain' : undefined;
  // An answer that names another problem with the value is that problem, not a domain question.
  if (write.identity && !write.role && !/invalid|syntax|format|required/.test(text)) return 'unverified-domain';
  if (write.role && /owner/.test(text)) return 'workspace-owner';
  return undefined;
}

/** The remedy of each refusal, said in the escrow and the log row. */
export const refusalRemedy: Record<ScimRefusal, string> = {
  'unverified-domain':
    "Notion changes the email or name of a member only for email domains the organization has verified (reference notion-scim.md §3.5): have an organization owner verify the domain in Notion's domain management (reference notion-scim.md §6) and the change goes through on a later cycle, or map userName to an address in a verified domain",
  'workspace-owner':
    'Notion does not let SCIM remove this workspace owner (reference notion-scim.md §3.3): change their role in Notion first, or add them to PROTECTED_USERS so that the engine leaves them alone',
  'token-owner':
    'this member owns the SCIM token: Notion does not let SCIM remove them, and changing their role revokes the token (reference notion-scim.md §3.3): add them to PROTECTED_USERS, or create a token as another owner, set NOTION_TOKEN, then change them in Notion',
  'not-a-member':
    'only workspace members can be in a group, not guests, removed members or unknown ids (reference notion-scim.md §4): the other members were applied; check the member in Notion (a guest is made a member with a POST /Users, §3.4) and it is tried again with backoff',
};

/** The same error, marked as a specific refusal, with the remedy in its message. */
export function asRefusal(error: ScimError, refusal: ScimRefusal, what: string): ScimError {
  return new ScimError({
    kind: 'bad-request',
    refusal,
    message: `${what} (${error.status ?? 'no status'}${error.detail ? `: ${error.detail}` : ''}): ${refusalRemedy[refusal]}`,
    request: error.request,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    cause: error,
  });
}

/** The same answer read as another kind (a 403 proven not to be about the token is a refusal of this one write). */
export function withKind(error: ScimError, kind: ScimErrorKind): ScimError {
  return new ScimError({
    kind,
    message: error.message,
    request: error.request,
    ...(error.refusal === undefined ? {} : { refusal: error.refusal }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
    cause: error,
  });
}

/**
 * One line for a failure that ended a whole run (a cycle, a plan) rather than one object's write: it names the target,
 * so that a refused connection to it is never read as the store's (both carry ECONNREFUSED in their causes).
 */
export function describeScimFailure(error: ScimError): string {
  if (error.cause instanceof NetworkFailure) return `Notion unreachable: ${error.message}`;
  if (error.kind === 'auth') return `Notion refused the SCIM token: ${error.message}`;
  return `Notion: ${error.message}`;
}

/** True when the request never reached the target: nothing listens there, or the name or network leads nowhere. */
export function neverReachedTarget(error: ScimError): boolean {
  return error.cause instanceof NetworkFailure && !error.cause.maybeSent;
}

/** What the operator fixes for a refused token or a URL that leads nowhere (the environment's mistakes); else undefined. */
export function scimFailureRemedy(error: ScimError): string | undefined {
  if (error.kind === 'auth') return 'check NOTION_SCIM_TOKEN: it may be wrong or revoked (e.g. its creator left or changed role)';
  if (error.cause instanceof NetworkFailure && connectFailureOf(error.cause) === 'certificate') {
    return 'the certificate was refused: check the host in NOTION_SCIM_URL; a proxy that re-signs TLS needs its CA in NODE_EXTRA_CA_CERTS';
  }
  if (neverReachedTarget(error)) return 'check the host and port in NOTION_SCIM_URL, and the network or HTTPS_PROXY between';
  return undefined;
}

/** describeScimFailure's line with the remedy, when there is one: what a person reads when a run could not reach Notion. */
export function explainScimFailure(error: ScimError): string {
  const remedy = scimFailureRemedy(error);
  return `${describeScimFailure(error)}${remedy ? `: ${remedy}` : ''}`;
}
