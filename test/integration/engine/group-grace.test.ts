// Groups leaving scope, end to end against the simulators with the cycle's clock moved forward (no sleeping): emptied
// and kept linked through GROUP_DELETE_GRACE_DAYS, deleted after it, re-linked (same Notion group) when they return.
import { describe, expect, it } from 'vitest';
import { decideStagedDeletes } from '../../../src/engine/index.js';
import { queryLog, readLink } from '../../../src/store/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { assignedGroupIds, groupMemberUser, notionGroupMembers } from '../../helpers/tenant-picks.js';

const { synced } = engineSessionPerTest();

const day = 24 * 60 * 60 * 1000;
const groupName = (s: EngineSession, id: string) => s.tenant.groups().find((g) => g.id === id)?.displayName as string;
const notionGroupId = (s: EngineSession, name: string) => s.notion.workspace.groups().find((g) => g.displayName === name)?.id;

/** A group with an enabled member that leaves scope, and the clock of the cycle that sees it leave. */
async function groupLeftScope(s: EngineSession) {
  const { groupId } = groupMemberUser(s.tenant);
  const name = groupName(s, groupId);
  const notionId = notionGroupId(s, name);
  expect(notionGroupMembers(s.notion.workspace, name).length).toBeGreaterThan(0);
  s.tenant.unassign(groupId);
  const left = new Date();
  const summary = await s.sync({}, () => left);
  return { groupId, name, notionId, left, summary };
}

describe('a group that leaves scope', () => {
  it('is emptied and kept linked through the grace period, then deleted with the reason in the log', async () => {
    const s = await synced();
    const { groupId, name, notionId, left, summary } = await groupLeftScope(s);
    expect(summary.status).toBe('succeeded');
    expect(notionGroupId(s, name)).toBe(notionId);
    expect(notionGroupMembers(s.notion.workspace, name)).toEqual([]);
    const link = await readLink(s.store.store.db, s.config.target, 'group', groupId);
    expect(link).toMatchObject({ state: 'disabled', notionId, retiringSince: left });
    const kept = await queryLog(s.store.store.db, { target: s.config.target, cycleId: summary.cycleId });
    expect(kept.find((row) => row.objectType === 'group' && row.sourceId === groupId && row.action === 'disable')?.reason)
      .toMatch(/^unassigned or out of scope; emptied and kept for the 7-day grace period \(deleted on or after \d{4}-\d\d-\d\d unless it returns\)$/);

    s.notion.clearRequests();
    const during = await s.sync({}, () => new Date(left.getTime() + 6 * day));
    expect(during.status).toBe('succeeded');
    expect(notionGroupId(s, name)).toBe(notionId);
    expect(s.writes()).toBe(0);

    const after = await s.sync({}, () => new Date(left.getTime() + 7 * day + 60_000));
    expect(after.counts['delete.success']).toBe(1);
    expect(notionGroupId(s, name)).toBeUndefined();
    const log = await queryLog(s.store.store.db, { target: s.config.target, cycleId: after.cycleId });
    expect(log.find((row) => row.sourceId === groupId)).toMatchObject({
      action: 'delete', status: 'success', reason: `left scope on ${left.toISOString().slice(0, 10)}; deleted after the 7-day grace period`,
    });
    expect(await readLink(s.store.store.db, s.config.target, 'group', groupId)).toMatchObject({ state: 'deleted', retiringSince: null });
    expect(s.differences()).toEqual([]);
  });

  it('is re-linked to the same Notion group with its members when it comes back within the grace period', async () => {
    const s = await synced();
    const { groupId, name, notionId, left } = await groupLeftScope(s);
    s.tenant.assign(groupId);
    s.notion.clearRequests();
    const back = await s.sync({}, () => new Date(left.getTime() + 3 * day));
    expect(back.status).toBe('succeeded');
    expect(back.counts['link.success']).toBe(1);
    expect(s.notion.requestCounts()['POST /Groups'] ?? 0).toBe(0);
    expect(s.notion.workspace.groups().filter((g) => g.displayName === name).map((g) => g.id)).toEqual([notionId]);
    expect(await readLink(s.store.store.db, s.config.target, 'group', groupId)).toMatchObject({ state: 'active', notionId, retiringSince: null });
    expect(s.differences()).toEqual([]);

    // Back for good: a later cycle past the old grace period deletes nothing.
    const later = await s.sync({}, () => new Date(left.getTime() + 30 * day));
    expect(later.counts['delete.success'] ?? 0).toBe(0);
    expect(notionGroupId(s, name)).toBe(notionId);
  });

  it('deleted by hand in Notion while kept, is created anew by a verify cycle when it comes back', async () => {
    const s = await synced();
    const { groupId, name, notionId, left } = await groupLeftScope(s);
    s.notion.workspace.deleteGroup(notionId as string);
    s.tenant.assign(groupId);
    const back = await s.sync({ mode: 'verify' }, () => new Date(left.getTime() + 2 * day));
    expect(back.status).toBe('succeeded');
    expect(notionGroupId(s, name)).toBeDefined();
    expect(notionGroupId(s, name)).not.toBe(notionId);
    expect(s.differences()).toEqual([]);
  });

  it('is kept only once emptied: a member removal that failed leaves it linked, and the next cycle finishes the job', async () => {
    const s = await synced();
    const { user, groupId } = groupMemberUser(s.tenant);
    const name = groupName(s, groupId);
    // The member stays in scope (assigned directly): its membership is removed by a PATCH, which fails.
    s.tenant.assign(user.id);
    s.tenant.unassign(groupId);
    // Every PATCH of the cycle is refused: a refused batch is bisected (execute-groups), so one refusal would not do.
    s.notion.injectFault({ kind: 'status', status: 400, count: 1000, match: { method: 'PATCH', path: /^\/Groups\// } });
    const failed = await s.sync({}, () => new Date());
    s.notion.clearFaults();
    expect(failed.status).toBe('partial');
    expect(notionGroupMembers(s.notion.workspace, name).length).toBeGreaterThan(0);
    expect(await readLink(s.store.store.db, s.config.target, 'group', groupId)).toMatchObject({ state: 'active', retiringSince: null });
    const next = await s.sync({}, () => new Date());
    expect(next.status).toBe('succeeded');
    expect(notionGroupMembers(s.notion.workspace, name)).toEqual([]);
    expect(await readLink(s.store.store.db, s.config.target, 'group', groupId)).toMatchObject({ state: 'disabled', retiringSince: expect.any(Date) });
  });

  it('deleted for good in Entra, is still kept through the grace period, then deleted', async () => {
    const s = await synced();
    const [groupId] = assignedGroupIds(s.tenant) as [string];
    const name = groupName(s, groupId);
    const notionId = notionGroupId(s, name);
    s.tenant.deleteGroup(groupId);
    const left = new Date();
    await s.sync({}, () => left);
    expect(notionGroupId(s, name)).toBe(notionId);
    const after = await s.sync({}, () => new Date(left.getTime() + 8 * day));
    expect(after.counts['delete.success']).toBe(1);
    expect(notionGroupId(s, name)).toBeUndefined();
  });

  it('has its end-of-grace delete staged by the deletion guard over the threshold, applied once approved, left alone once rejected', async () => {
    const s = await synced({ env: { DELETION_THRESHOLD: '1' } });
    const groups = assignedGroupIds(s.tenant).slice(0, 2);
    expect(groups).toHaveLength(2);
    for (const id of groups) s.tenant.unassign(id);
    const left = new Date();
    // Users who were in scope through these groups only are disabled this cycle: let them through to test groups alone.
    await s.sync({ forceDeletes: true }, () => left);
    const names = groups.map((id) => groupName(s, id));
    const due = await s.sync({}, () => new Date(left.getTime() + 8 * day));
    expect(due.status).toBe('held');
    expect(due.stagedDeletes).toBe(2);
    for (const name of names) expect(notionGroupId(s, name)).toBeDefined();
    await decideStagedDeletes(s.store.store.db, s.config.target, { ids: [groups[0] as string], reject: false, actor: 'test' });
    await decideStagedDeletes(s.store.store.db, s.config.target, { ids: [groups[1] as string], reject: true, actor: 'test' });
    const approved = await s.sync({}, () => new Date(left.getTime() + 8 * day));
    expect(approved.counts['delete.success']).toBe(1);
    expect(notionGroupId(s, names[0] as string)).toBeUndefined();
    // Rejected: left in Notion as it is and no longer managed; its grace period is over for good.
    expect(notionGroupId(s, names[1] as string)).toBeDefined();
    expect(await readLink(s.store.store.db, s.config.target, 'group', groups[1] as string)).toMatchObject({ state: 'released', retiringSince: null });
    expect((await s.sync({}, () => new Date(left.getTime() + 9 * day))).status).toBe('succeeded');
  });
});
