// A leaving and a returning user's memberships as an admin meets them (the built CLI's `sync`), with the Notion
// simulator switched over its control API to keep a removed member's groups (RFC 7644) or to give them back on
// rejoining (what Notion's pages say): reference notion-scim.md §3.6.
import { afterEach, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator, type SimUser } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type MembershipsOnRemoval, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';
import { assignedGroupIds, groupMemberUser, notionUser } from '../helpers/tenant-picks.js';

/** Four `sync` processes, each opening its store: more than the default minute on a loaded machine. */
const processTimeoutMs = 240_000;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((close) => close()));
  cleanup = [];
});

async function start(mode: MembershipsOnRemoval): Promise<{ graph: GraphSimulator; notion: NotionSimulator; sync: () => Promise<string> }> {
  const graph = await startGraphSimulator({ tenant: generateTenant({ seed: 21, users: 30, groups: 4 }) });
  const notion = await startNotionSimulator({});
  const store = await createTestStoreLocation();
  cleanup.push(() => graph.close(), () => notion.close(), () => store.drop());
  const switched = await fetch(`${notion.controlUrl}/options`, { method: 'PATCH', body: JSON.stringify({ membershipsOnRemoval: mode }) });
  expect(switched.status).toBe(200);
  const env = { ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath, ...storeEnv(store.location) };
  const sync = async () => {
    const run = await runCli(['sync'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout.trim().split('\n').pop() as string) as { status: string }).status;
  };
  return { graph, notion, sync };
}

const notionGroupsOf = (notion: NotionSimulator, user: SimUser): string[] => {
  const id = notionUser(notion.workspace, user.userPrincipalName)?.id as string;
  return notion.workspace.groupsOf(id).map((groupId) => notion.workspace.group(groupId)?.displayName as string).sort();
};

const entraGroupsOf = (graph: GraphSimulator, user: SimUser): string[] =>
  assignedGroupIds(graph.tenant)
    .filter((groupId) => graph.tenant.membersOf(groupId).includes(user.id))
    .map((groupId) => graph.tenant.groups().find((g) => g.id === groupId)?.displayName as string)
    .sort();

describe.each<MembershipsOnRemoval>(['keep', 'restore-within-30-days'])('sync when Notion %s a removed member\'s groups', (mode) => {
  it('leaves a disabled user in no group, and gives the user back exactly Entra\'s groups', async () => {
    const { graph, notion, sync } = await start(mode);
    const { user } = groupMemberUser(graph.tenant);
    const extra = graph.tenant.createGroup({ displayName: 'Extra' });
    graph.tenant.assign(extra.id);
    graph.tenant.addMember(extra.id, user.id);
    expect(await sync()).toBe('succeeded');
    expect(notionGroupsOf(notion, user)).toContain('Extra');

    graph.tenant.disableUser(user.id);
    expect(await sync()).toBe('succeeded');
    expect(notionUser(notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(false);
    expect(notionGroupsOf(notion, user)).toEqual([]);

    graph.tenant.removeMember(extra.id, user.id);
    graph.tenant.enableUser(user.id);
    expect(await sync()).toBe('succeeded');
    expect(notionUser(notion.workspace, user.userPrincipalName)?.inWorkspace).toBe(true);
    expect(notionGroupsOf(notion, user)).toEqual(entraGroupsOf(graph, user));
  }, processTimeoutMs);
});
