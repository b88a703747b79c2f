// The environment that points entra-notion-sync at a running pair of simulators (demo, console demo, tests).
import type { GraphSimulator } from './graph/index.js';
import type { NotionSimulator } from './notion/index.js';

export function simulatorConnectionEnv(graph: GraphSimulator, notion: NotionSimulator): Record<string, string> {
  return {
    ENTRA_TENANT_ID: graph.tenantId,
    ENTRA_CLIENT_ID: graph.clientId,
    ENTRA_CLIENT_SECRET: graph.clientSecret,
    ENTRA_SERVICE_PRINCIPAL_ID: graph.servicePrincipalId,
    ENTRA_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_BASE_URL: graph.graphBaseUrl,
    NOTION_SCIM_URL: notion.url,
    NOTION_SCIM_TOKEN: notion.token,
  };
}
