// Builds the two adapters a cycle talks through, from the configuration.
import type { LoadedConfig } from '../config/index.js';
import { createEntraSource, type EntraSource } from '../entra/index.js';
import type { Logger } from '../observe/index.js';
import { createScimClient, type ScimClient } from '../scim/index.js';

export function createNotionClient(config: LoadedConfig, logger: Logger, signal?: AbortSignal): ScimClient {
  if (!config.notion.token) throw new Error('notion.token is not set (NOTION_TOKEN)');
  return createScimClient({
    baseUrl: config.notion.scimUrl,
    token: config.notion.token,
    requestsPerSecond: config.notion.rateLimitRps,
    maxConcurrency: config.notion.maxConcurrency,
    patchDialect: config.notion.patchDialect,
    maxMembersPerPatch: config.notion.maxMembersPerPatch,
    membersOnCreate: config.notion.membersOnCreate,
    logger,
    ...(signal ? { signal } : {}),
  });
}

export function createSource(config: LoadedConfig, logger: Logger, signal: AbortSignal | undefined): EntraSource {
  return createEntraSource({ config: config.entra, logger, ...(signal ? { signal } : {}) });
}
