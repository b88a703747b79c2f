// The notification endpoint on the worker's HTTP port (POST to the path of NOTIFICATION_URL): answers Graph's
// validation handshake, and acknowledges notifications with 202 before anything else happens. Its authentication is
// the clientState (reference graph-notifications §3); a notification's content is never trusted as data: a valid one
// is only a hint that starts a delta read (§5).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, NotificationMetrics, NotificationRejection } from '../observe/index.js';
import { clientStateMatches } from './client-state.js';

/** Bound on a request body: Graph batches notifications, each well under 1 KB for users and groups without resource data. */
export const MAX_NOTIFICATION_BODY_BYTES = 256 * 1024;
/** Graph's validation tokens are opaque; anything longer than this is not one. */
const MAX_VALIDATION_TOKEN_LENGTH = 4096;

export interface LifecycleNotice {
  event: string;
  subscriptionId: string | undefined;
}

export interface NotificationEndpointOptions {
  /** The expected clientState; undefined until the worker has resolved it (the endpoint answers 503 until then). */
  clientState: () => string | undefined;
  /** When the configured tenant is a GUID: notifications naming another tenant are refused. */
  tenantId?: string;
  metrics: () => NotificationMetrics | undefined;
  logger: Logger;
  /** Called after the answer, once per request holding valid change notifications. */
  onChange(count: number): void;
  /** Called after the answer, for each valid lifecycle notification. */
  onLifecycle(notice: LifecycleNotice): void;
}

export type NotificationHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function createNotificationHandler(options: NotificationEndpointOptions): NotificationHandler {
  const reportRejection = throttledRejectionLog(options.logger);
  const reject = (response: ServerResponse, status: number, reason: NotificationRejection, count = 1): void => {
    options.metrics()?.rejected(reason, count);
    reportRejection(reason, status);
    answer(response, status, 'application/json', `${JSON.stringify({ error: rejectionText[reason] })}\n`);
  };

  return (request, response) => {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return reject(response, 405, 'method');
    }
    const expected = options.clientState();
    if (!expected) return answer(response, 503, 'application/json', '{"error":"not ready: the notification secret is not loaded yet"}\n');
    // Graph's validation request: POST {notificationUrl}?validationToken=…; answer the URL-decoded token as plain text
    // with 200 within 10 seconds (§2). Nothing is read from the body.
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('validationToken');
    if (token !== null) {
      request.resume();
      if (token.length === 0 || token.length > MAX_VALIDATION_TOKEN_LENGTH) return reject(response, 400, 'malformed');
      options.metrics()?.received('validation');
      response.setHeader('x-content-type-options', 'nosniff');
      return answer(response, 200, 'text/plain; charset=utf-8', token);
    }
    readBoundedBody(request, MAX_NOTIFICATION_BODY_BYTES).then(
      (body) => {
        if (body === undefined) return reject(response, 413, 'too-large');
        const parsed = parseCollection(body);
        if (!parsed) return reject(response, 400, 'malformed');
        let changes = 0;
        const lifecycle: LifecycleNotice[] = [];
        const refused = new Map<NotificationRejection, number>();
        const refuse = (reason: NotificationRejection) => refused.set(reason, (refused.get(reason) ?? 0) + 1);
        for (const item of parsed) {
          if (!clientStateMatches(expected, item.clientState)) refuse('client-state');
          else if (options.tenantId && typeof item.tenantId === 'string' && item.tenantId.toLowerCase() !== options.tenantId.toLowerCase()) refuse('tenant');
          else if (typeof item.lifecycleEvent === 'string') lifecycle.push({ event: item.lifecycleEvent, subscriptionId: typeof item.subscriptionId === 'string' ? item.subscriptionId : undefined });
          else if (typeof item.changeType === 'string') changes += 1;
          else refuse('malformed');
        }
        const valid = changes + lifecycle.length;
        if (valid === 0) {
          // Nothing valid: refused as a whole. A wrong clientState is 403 (the request is not from our subscription).
          const [first] = [...refused.entries()].sort((a, b) => b[1] - a[1]);
          const reason = first?.[0] ?? 'malformed';
          for (const [other, count] of refused) if (other !== reason) options.metrics()?.rejected(other, count);
          return reject(response, reason === 'client-state' || reason === 'tenant' ? 403 : 400, reason, first?.[1] ?? 1);
        }
        for (const [reason, count] of refused) {
          options.metrics()?.rejected(reason, count);
          reportRejection(reason, 202);
        }
        // Acknowledge first (Graph expects a 2xx within 3 seconds, §4); the hints run after the answer is on its way.
        answer(response, 202, 'text/plain; charset=utf-8', '');
        if (changes > 0) options.metrics()?.received('change', changes);
        if (lifecycle.length > 0) options.metrics()?.received('lifecycle', lifecycle.length);
        setImmediate(() => {
          if (changes > 0) options.onChange(changes);
          for (const notice of lifecycle) options.onLifecycle(notice);
        });
      },
      () => {
        // The client went away mid-body: nothing to answer.
        response.destroy();
      },
    );
  };
}

const rejectionText: Record<NotificationRejection, string> = {
  'client-state': 'clientState does not match this subscription',
  tenant: 'the notification names another tenant',
  malformed: 'expected a JSON change notification collection ({"value":[…]}) or ?validationToken=',
  'too-large': `the body exceeds ${MAX_NOTIFICATION_BODY_BYTES} bytes`,
  method: 'only POST is served here (Microsoft Graph change notifications)',
};

function answer(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

/** The body as text, or undefined when it exceeds `limit` bytes (the rest is not read). */
function readBoundedBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        request.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!done) reject(error);
      done = true;
    });
  });
}

/** The items of `{ value: [ … ] }`; undefined for anything else. */
function parseCollection(body: string): Array<Record<string, unknown>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const value = typeof parsed === 'object' && parsed !== null ? (parsed as { value?: unknown }).value : undefined;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) return undefined;
  return value as Array<Record<string, unknown>>;
}

/** A flood of refused requests must not flood the log: one warning per reason per minute, with the count since. */
function throttledRejectionLog(logger: Logger): (reason: NotificationRejection, status: number) => void {
  const last = new Map<NotificationRejection, { at: number; since: number }>();
  return (reason, status) => {
    const now = Date.now();
    const entry = last.get(reason);
    if (entry && now - entry.at < 60_000) {
      entry.since += 1;
      return;
    }
    logger.warn({ event: 'notification.rejected', reason, status, refusedSinceLastLine: entry?.since ?? 0, message: rejectionText[reason] });
    last.set(reason, { at: now, since: 0 });
  };
}
