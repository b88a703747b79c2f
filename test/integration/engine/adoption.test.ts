// Adoption of a populated workspace (issue 14): a store that starts empty against a Notion that already holds every
// user and group as Entra says links them all without a write. Users with nothing to change are recorded in batches
// (apply.ts), groups bring the members Notion lists (plan.ts): what is recorded must be what one write each would record.
import { is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { queryLog, readLink, tables } from '../../../src/store/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { notionGroupMembers } from '../../helpers/tenant-picks.js';

const { synced } = engineSessionPerTest({ tenant: { seed: 5, users: 40, groups: 4 } });

describe('adopting a workspace that holds everything already', () => {
  it('links every user and group, one log row each, sends no write, and owns the memberships from then on', async () => {
    const s = await synced();
    const db = s.store.store.db;
    const target = s.config.target;
    const before = await db.select().from(tables.links);
    const membersBefore = Object.fromEntries(s.notion.workspace.groups().map((g) => [g.displayName, notionGroupMembers(s.notion.workspace, g.displayName)]));
    // A new store against the same workspace: every table emptied, so nothing links Entra to Notion any more.
    for (const table of Object.values(tables)) if (is(table, PgTable)) await db.delete(table);
    s.notion.clearRequests();

    const adoption = await s.sync();
    expect(adoption).toMatchObject({ kind: 'initial', status: 'succeeded' });
    expect(s.notion.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    const active = before.filter((l) => l.state === 'active');
    expect(adoption.counts).toEqual({ 'link.success': active.length });
    for (const link of active) {
      expect((await readLink(db, target, link.objectType as 'user' | 'group', link.sourceId))).toMatchObject({ state: 'active', notionId: link.notionId, attempts: 0 });
      const rows = await queryLog(db, { target, object: link.sourceId, cycleId: adoption.cycleId });
      expect(rows.map((row) => [row.action, row.status, row.notionId])).toEqual([['link', 'success', link.notionId]]);
    }
    expect(await db.select().from(tables.appliedMemberships)).toHaveLength(Object.values(membersBefore).flat().length);
    expect(s.differences()).toEqual([]);

    // Each membership is ours: Entra emptying a group empties it in Notion.
    const [groupName, members] = Object.entries(membersBefore).find(([, names]) => names.length > 0) as [string, string[]];
    const group = s.tenant.groups().find((g) => g.displayName === groupName);
    for (const member of s.tenant.membersOf(group!.id)) s.tenant.removeMember(group!.id, member);
    await s.sync({ forceDeletes: true });
    expect(members.length).toBeGreaterThan(0);
    expect(notionGroupMembers(s.notion.workspace, groupName)).toEqual([]);
  });
});
