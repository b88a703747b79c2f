// Builds the two adapters a cycle talks through, from the configuration.
import type { LoadedConfig } from '../config/index.js';
import { createEntraSource, type EntraSource } from '../entra/index.js';
import type { Logger } from '../observe/index.js';
import { createScimClient, type RateMemory, type ScimClient } from '../scim/index.js';
import { learntMemberBatchOf, learntRateLimitOf, type Queryable } from '../store/index.js';

/**
 * `db` keeps what the client learns about the target between cycles (read before the first request, written at
 * close): the member batch size always, the rate with NOTION_RATE_LIMIT_RPS=auto; without it each client starts its
 * searches afresh.
 */
export function createNotionClient(config: LoadedConfig, logger: Logger, signal?: AbortSignal, db?: Queryable): ScimClient {
  if (!config.notion.token) throw new Error('notion.token is not set (NOTION_TOKEN)');
  const memory: RateMemory | undefined = db ? learntRateLimitOf(db, config.target) : undefined;
  return createScimClient({
    baseUrl: config.notion.scimUrl,
    token: config.notion.token,
    requestsPerSecond: config.notion.rateLimitRps,
    adaptiveRate: { floorRps: config.notion.rateLimitMinRps, ceilingRps: config.notion.rateLimitMaxRps, ...(memory ? { memory } : {}) },
    maxConcurrency: config.notion.maxConcurrency,
    patchDialect: config.notion.patchDialect,
    maxMembersPerPatch: config.notion.maxMembersPerPatch,
    ...(db ? { memberBatchMemory: learntMemberBatchOf(db, config.target) } : {}),
    membersOnCreate: config.notion.membersOnCreate,
    logger,
    ...(signal ? { signal } : {}),
  });
}

export function createSource(config: LoadedConfig, logger: Logger, signal: AbortSignal | undefined): EntraSource {
  return createEntraSource({ config: config.entra, logger, ...(signal ? { signal } : {}) });
}
