// Graph change-notification subscriptions (POST, PATCH, GET, DELETE /subscriptions): the only writes this project
// sends to Graph, and they change nothing in the directory (docs/reference/graph-notifications.md §1).
import { Client } from '@microsoft/microsoft-graph-client';
import type { Config } from '../config/index.js';
import { createTokenProvider, credentialFromConfig, type TokenProvider } from './credentials.js';
import { GraphReadError, toGraphReadError } from './graph-errors.js';
import { createOutboundDispatcher } from './outbound-http.js';
import { createGraphMiddleware, type RequestCounts } from './request-policy.js';

/** A subscription as Graph answers it (the fields this project reads). */
export interface GraphSubscription {
  id: string;
  resource: string;
  expirationDateTime: Date;
}

export interface SubscriptionRequest {
  resource: 'users' | 'groups';
  notificationUrl: string;
  clientState: string;
  expirationDateTime: Date;
}

export interface SubscriptionClient {
  /** Graph first sends a validation request to the notification URL and creates the subscription when it is answered. */
  create(request: SubscriptionRequest): Promise<GraphSubscription>;
  /** Renews (and reauthorizes) a subscription; throws GraphReadError `not-found` when Graph no longer has it. */
  renew(id: string, expirationDateTime: Date): Promise<GraphSubscription>;
  /** The subscription, or undefined when Graph does not have it (expired, removed, deleted). */
  find(id: string): Promise<GraphSubscription | undefined>;
  /** Deletes it; one that is already gone counts as deleted. */
  remove(id: string): Promise<void>;
  counts(): RequestCounts;
}

/** `updated` and `deleted` are the change types Graph supports for users and groups (§1). */
const CHANGE_TYPE = 'updated,deleted';

export function createSubscriptionClient(config: Config['entra']): SubscriptionClient {
  const credential = credentialFromConfig(config);
  const dispatcher = createOutboundDispatcher();
  let tokensPromise: Promise<TokenProvider> | undefined;
  const tokens: TokenProvider = {
    getAccessToken: async () => (await (tokensPromise ??= createTokenProvider(config, credential, dispatcher))).getAccessToken(),
  };
  const counts: RequestCounts = { requests: 0, throttled: 0 };
  const client = Client.initWithMiddleware({
    middleware: createGraphMiddleware(tokens, counts, dispatcher),
    baseUrl: config.graphBaseUrl.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
  });

  const call = async (what: string, send: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await send();
    } catch (error) {
      const failure = toGraphReadError(error);
      throw new GraphReadError(failure.kind, `${what}: ${failure.message}`, failure.status, failure.code);
    }
  };

  return {
    async create(request) {
      const body = {
        changeType: CHANGE_TYPE,
        resource: request.resource,
        notificationUrl: request.notificationUrl,
        // The same endpoint receives lifecycle notifications: they carry `lifecycleEvent` instead of `changeType`.
        lifecycleNotificationUrl: request.notificationUrl,
        clientState: request.clientState,
        expirationDateTime: request.expirationDateTime.toISOString(),
      };
      return parseSubscription(await call(`create the ${request.resource} subscription`, () => client.api('/subscriptions').post(body)), 'POST /subscriptions');
    },
    async renew(id, expirationDateTime) {
      const answer = await call(`renew subscription ${id}`, () => client.api(`/subscriptions/${encodeURIComponent(id)}`).patch({ expirationDateTime: expirationDateTime.toISOString() }));
      return parseSubscription(answer, 'PATCH /subscriptions/{id}');
    },
    async find(id) {
      try {
        return parseSubscription(await call(`read subscription ${id}`, () => client.api(`/subscriptions/${encodeURIComponent(id)}`).get()), 'GET /subscriptions/{id}');
      } catch (error) {
        if (error instanceof GraphReadError && error.kind === 'not-found') return undefined;
        throw error;
      }
    },
    async remove(id) {
      try {
        await call(`delete subscription ${id}`, () => client.api(`/subscriptions/${encodeURIComponent(id)}`).delete());
      } catch (error) {
        if (error instanceof GraphReadError && error.kind === 'not-found') return;
        throw error;
      }
    },
    counts: () => ({ ...counts }),
  };
}

/** A malformed answer fails: the caller keeps what it had (principle: malformed answers fail closed). */
function parseSubscription(body: unknown, what: string): GraphSubscription {
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const id = object?.id;
  const resource = object?.resource;
  const expiration = typeof object?.expirationDateTime === 'string' ? new Date(object.expirationDateTime) : undefined;
  if (typeof id !== 'string' || id === '' || typeof resource !== 'string' || !expiration || Number.isNaN(expiration.getTime())) {
    throw new GraphReadError('malformed', `${what}: the answer is not a subscription (id, resource, expirationDateTime)`);
  }
  return { id, resource, expirationDateTime: expiration };
}
