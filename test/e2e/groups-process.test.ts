// Groups as an admin sees them through the built CLI: `provision <group>` shows each step and creates the group with
// its members; an unknown name is a clear error; a group that leaves scope is kept empty (status, logs) through its
// grace period and deleted after it (the store's retiring_since moved back: no sleeping).
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { openStore, tables } from '../../src/store/index.js';
import { runCli as cli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { createTestStoreLocation, storeEnv, type TestStore } from '../helpers/store.js';
import { notionGroupMembers } from '../helpers/tenant-picks.js';

let graph: GraphSimulator;
let notion: NotionSimulator;
let env: Record<string, string>;
let location: TestStore['location'];
let drop: () => Promise<void>;

beforeAll(async () => {
  graph = await startGraphSimulator({ tenant: generateTenant({ seed: 5, users: 20, groups: 2, directAssignmentShare: 0.5 }) });
  notion = await startNotionSimulator({});
  const created = await createTestStoreLocation();
  location = created.location;
  drop = created.drop;
  env = { ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', LOG_LEVEL: 'silent', NODE_EXTRA_CA_CERTS: simulatorCaPath, DELETION_THRESHOLD_PERCENT: '100', ...storeEnv(location) };
});
afterAll(async () => {
  await Promise.all([graph.close(), notion.close()]);
  await drop();
});

const notionGroup = (name: string) => notion.workspace.groups().find((g) => g.displayName === name);

describe('groups through the CLI', () => {
  it('provision <group> previews, then creates the group and its members, showing each step', async () => {
    expect((await cli(['sync'], env)).code).toBe(0);
    const group = graph.tenant.createGroup({ displayName: 'Night Shift' });
    for (const i of [1, 2, 3]) graph.tenant.addMember(group.id, graph.tenant.hireUser({ userPrincipalName: `night.${i}@example.com` }).id);
    graph.tenant.assign(group.id);

    const dry = await cli(['provision', 'Night Shift', '--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`1. Import group: found "Night Shift" (${group.id})`);
    expect(dry.stdout).toContain('4. Members: 3 user(s) in Entra, 3 in scope; provisioning 3 (at most 5');
    expect(dry.stdout).toContain('would create-group Night Shift: in scope, not in Notion');
    expect(dry.stdout).toContain('would create-user night.1@example.com');
    expect(notionGroup('Night Shift')).toBeUndefined();

    const run = await cli(['provision', 'Night Shift'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('group Night Shift: create success');
    for (const i of [1, 2, 3]) expect(run.stdout).toContain(`user night.${i}@example.com: create success`);
    expect(run.stdout).toContain('group Night Shift: add-members success: member in Entra: sent with the create: 3 user(s)');
    expect(notionGroupMembers(notion.workspace, 'Night Shift')).toEqual(['night.1@example.com', 'night.2@example.com', 'night.3@example.com']);
  }, 120_000);

  it('provision of a name no user or group has fails with a clear message', async () => {
    const missing = await cli(['provision', 'No Such Group'], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('"No Such Group" was not found in Entra: no user has this userPrincipalName or object id, and no group this displayName or object id');
  });

  it('keeps a group that left scope empty through its grace period, shows it in status, and deletes it after', async () => {
    const group = graph.tenant.groups().find((g) => g.displayName === 'Night Shift');
    const notionId = notionGroup('Night Shift')?.id;
    graph.tenant.unassign(group?.id as string);
    const left = await cli(['sync'], env);
    expect(left.code).toBe(0);
    expect(notionGroup('Night Shift')?.id).toBe(notionId);
    expect(notionGroupMembers(notion.workspace, 'Night Shift')).toEqual([]);
    const status = await cli(['status'], env);
    expect(status.stdout).toContain('Groups kept after leaving scope (emptied, deleted after the grace period unless they return): 1');
    expect(status.stdout).toMatch(/Night Shift\s+\S+\s+\S+\s+\d{4}-\d\d-\d\dT/);

    const leftOn = await moveGraceStartBack([group?.id as string], 8);
    const plan = await cli(['plan'], env);
    expect(plan.stdout).toContain(`left scope on ${leftOn}; deleted after the 7-day grace period`);
    const after = await cli(['sync'], env);
    expect(after.code).toBe(0);
    expect(notionGroup('Night Shift')).toBeUndefined();
    const logs = await cli(['logs', '--action', 'delete', '--json'], env);
    const rows = logs.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { displayName: string; reason: string });
    expect(rows).toContainEqual(expect.objectContaining({ displayName: 'Night Shift', reason: `left scope on ${leftOn}; deleted after the 7-day grace period` }));
  }, 240_000);
});

describe('the deletion guard and groups, through the CLI', () => {
  it('stages the deletes at the end of the grace period over DELETION_THRESHOLD (exit 5) until approve', async () => {
    const guarded = { ...env, DELETION_THRESHOLD: '1' };
    const names = ['Early Shift', 'Late Shift'];
    const groups = names.map((displayName, i) => {
      const group = graph.tenant.createGroup({ displayName });
      // A member assigned directly too: unassigning the group leaves it in scope, so only groups are removed.
      const member = graph.tenant.hireUser({ userPrincipalName: `shift.${i}@example.com` });
      graph.tenant.assign(member.id);
      graph.tenant.addMember(group.id, member.id);
      graph.tenant.assign(group.id);
      return group.id;
    });
    expect((await cli(['sync'], guarded)).code).toBe(0);
    for (const id of groups) graph.tenant.unassign(id);
    expect((await cli(['sync'], guarded)).code).toBe(0);
    for (const name of names) expect(notionGroupMembers(notion.workspace, name)).toEqual([]);
    await moveGraceStartBack(groups, 8);

    const held = await cli(['sync'], guarded);
    expect(held.code).toBe(5);
    expect(JSON.parse(held.stdout.trim().split('\n').pop() as string)).toMatchObject({ status: 'held', stagedDeletes: groups.length });
    for (const name of names) expect(notionGroup(name)).toBeDefined();

    expect((await cli(['approve'], guarded)).code).toBe(0);
    const applied = await cli(['sync'], guarded);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout.trim().split('\n').pop() as string)).toMatchObject({ status: 'succeeded', counts: { 'delete.success': groups.length } });
    for (const name of names) expect(notionGroup(name)).toBeUndefined();
  }, 300_000);
});

/** Moves retiring groups' grace start `days` back in the store (between CLI runs); returns that day. */
async function moveGraceStartBack(groupIds: string[], days: number): Promise<string> {
  const store = await openStore(location);
  try {
    const since = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
    await store.db.update(tables.links).set({ retiringSince: since }).where(and(eq(tables.links.objectType, 'group'), inArray(tables.links.sourceId, groupIds)));
    return since.toISOString().slice(0, 10);
  } finally {
    await store.close();
  }
}
