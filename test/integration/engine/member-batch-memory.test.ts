// The member batch size across cycles: a cycle that learnt Notion's limit per member PATCH (one refused request)
// leaves it in the store for the target, so the next cycle sends no batch Notion refuses, with a known rate.
import { describe, expect, it } from 'vitest';
import { readLearntMemberBatch, saveLearntMemberBatch } from '../../../src/store/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { notionGroupMembers } from '../../helpers/tenant-picks.js';

// Notion takes at most 50 members per PATCH and says so with 413; the ceiling is the default 100. Members go in by
// PATCH (not on create), and the rate is a known one, not `auto`.
const { open } = engineSessionPerTest({
  tenant: { seed: 5, users: 10, groups: 2 },
  notion: { maxMembersPerPatch: 50, oversizeMemberPatchStatus: 413 },
  env: { NOTION_MEMBERS_ON_CREATE: 'false', NOTION_RATE_LIMIT_RPS: '1000' },
});

/** A new group, assigned to the app, holding these users. */
function assignedGroup(session: EngineSession, displayName: string, userIds: string[]): void {
  const group = session.tenant.createGroup({ displayName });
  for (const id of userIds) session.tenant.addMember(group.id, id);
  session.tenant.assign(group.id);
}

const refusedForSize = (session: EngineSession): number => session.notion.requests().filter((r) => r.status === 413).length;

describe('the member batch size across cycles', () => {
  it('is learnt by one cycle with one refused request; the next cycle sends none, and the same members', async () => {
    const session = await open();
    const hires = Array.from({ length: 100 }, () => session.tenant.hireUser({ accountEnabled: true }).id);
    assignedGroup(session, 'Batch one', hires);
    expect((await session.sync()).status).toBe('succeeded');
    expect(refusedForSize(session)).toBe(1);
    expect(session.differences()).toEqual([]);
    expect(await readLearntMemberBatch(session.store.store.db, 'workspace')).toMatchObject({ refusedSize: 100, acceptedSize: 50 });

    session.notion.clearRequests();
    assignedGroup(session, 'Batch two', hires);
    expect((await session.sync()).status).toBe('succeeded');
    expect(refusedForSize(session)).toBe(0);
    expect(session.differences()).toEqual([]);
    expect(notionGroupMembers(session.notion.workspace, 'Batch two')).toEqual(notionGroupMembers(session.notion.workspace, 'Batch one'));
    expect(notionGroupMembers(session.notion.workspace, 'Batch two')).toHaveLength(100);
  });

  it('forgets a refusal older than a day and starts at the ceiling again', async () => {
    const session = await open({ notion: { maxMembersPerPatch: 100, oversizeMemberPatchStatus: 413 } });
    await saveLearntMemberBatch(session.store.store.db, 'workspace', { refusedSize: 100, refusedAt: new Date(Date.now() - 25 * 60 * 60 * 1000), acceptedSize: 50 });
    assignedGroup(session, 'Batch one', Array.from({ length: 100 }, () => session.tenant.hireUser({ accountEnabled: true }).id));
    expect((await session.sync()).status).toBe('succeeded');
    expect(session.differences()).toEqual([]);
    const batchOne = session.notion.workspace.groups().find((g) => g.displayName === 'Batch one')!;
    const patches = session.notion.requests().filter((r) => r.method === 'PATCH' && r.path === `/Groups/${batchOne.id}`);
    expect(patches).toHaveLength(1);
    expect(await readLearntMemberBatch(session.store.store.db, 'workspace')).toEqual({ refusedSize: null, refusedAt: null, acceptedSize: null });
  });
});
