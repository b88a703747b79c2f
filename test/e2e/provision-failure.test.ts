// `provision` as a process when Notion refuses: the report says what was attempted and Notion's own reason, not
// "Nothing to do", and the token is never printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { directlyAssignedUser } from '../helpers/tenant-picks.js';

describe('provision when Notion refuses the SCIM token', () => {
  let graph: GraphSimulator;
  let notion: NotionSimulator;
  let store: Awaited<ReturnType<typeof createTestStoreLocation>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraphSimulator({ tenant: generateTenant({ seed: 5, users: 20, groups: 2, directAssignmentShare: 0.5 }) });
    notion = await startNotionSimulator({});
    store = await createTestStoreLocation();
    env = { ...simulatorConnectionEnv(graph, notion), NOTION_SCIM_TOKEN: 'revoked-token-value', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...storeEnv(store.location) };
  });
  afterAll(async () => {
    await Promise.all([graph.close(), notion.close()]);
    await store.drop();
  });

  it('says the create failed and why (401, NOTION_SCIM_TOKEN), exits 1 and does not print the token', async () => {
    const user = directlyAssignedUser(graph.tenant);
    const result = await runCli(['provision', user.userPrincipalName], env);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('Nothing to do');
    expect(result.stdout).toMatch(/Create failed: Notion refused the SCIM token: .* 401.*: check NOTION_SCIM_TOKEN/);
    expect(result.stdout + result.stderr).not.toContain('revoked-token-value');
    expect(result.stdout).toContain('Nothing was sent.');
    expect(notion.workspace.userCount()).toBe(0);
  });
});
