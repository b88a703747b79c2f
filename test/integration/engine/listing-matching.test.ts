// Matching and the unaccounted check read Notion's listing from the store's scratch table, page by page (issue 14):
// what a cycle decides from it must be what it decided from a listing held whole.
import { describe, expect, it } from 'vitest';
import { queryLog, readLink, tables } from '../../../src/store/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { directlyAssignedUser, notionUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest({ tenant: { seed: 21, users: 30, groups: 4 }, env: { PROTECTED_USERS: 'IT-Admin@example.com' } });

describe('matching against the spooled listing', () => {
  it('adopts by userName and by email, refuses two candidates, and reports exactly the unaccounted members', async () => {
    const s = await open();
    const ws = s.notion.workspace;
    const hired = (userPrincipalName: string) => {
      const user = s.tenant.hireUser({ userPrincipalName });
      s.tenant.assign(user.id);
      return user;
    };
    const [byName, byEmail, ambiguous] = [hired('by.name@example.com'), hired('by.email@example.com'), hired('ambiguous@example.com')];
    const adoptedByName = ws.addUser({ userName: byName.userPrincipalName.toUpperCase() });
    const adoptedByEmail = ws.addUser({ userName: 'old.address@example.com', emails: [{ value: byEmail.userPrincipalName }] });
    const first = ws.addUser({ userName: ambiguous.userPrincipalName });
    const second = ws.addUser({ userName: 'someone.else@example.com', emails: [{ value: ambiguous.userPrincipalName.toUpperCase() }] });
    ws.addUser({ userName: 'leaver "one"@example.com' });
    ws.addUser({ userName: 'it-admin@example.com' });
    ws.addUser({ userName: 'founder@example.com', role: 'owner' });
    ws.addUser({ userName: 'removed@example.com', inWorkspace: false });

    const summary = await s.sync();
    expect(summary).toMatchObject({ kind: 'initial', status: 'held', unaccountedMembers: 1 });
    const db = s.store.store.db;
    const target = s.config.target;
    expect((await readLink(db, target, 'user', byName.id))?.notionId).toBe(adoptedByName.id);
    expect((await readLink(db, target, 'user', byEmail.id))?.notionId).toBe(adoptedByEmail.id);
    const conflict = await queryLog(db, { target, object: ambiguous.id });
    expect(conflict.map((row) => [row.action, row.status])).toEqual([['create', 'failure']]);
    expect(conflict[0]?.reason).toContain('2 Notion objects match');
    expect(ws.users().map((user) => user.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(notionUser(ws, ambiguous.userPrincipalName)?.id).toBe(first.id);
    const unaccounted = await queryLog(db, { target, action: 'unaccounted' });
    expect(unaccounted.map((row) => row.displayName)).toEqual(['leaver "one"@example.com']);
    // The listing was scratch for this cycle only.
    expect(await db.select().from(tables.notionListing)).toEqual([]);
  });

  it("refuses a listed user that another object's link holds, though that object is not evaluated this cycle", async () => {
    const s = await open({ env: {} });
    expect((await s.sync()).status).toBe('succeeded');
    const ws = s.notion.workspace;
    const holder = directlyAssignedUser(s.tenant);
    const held = notionUser(ws, holder.userPrincipalName)!;
    ws.editUser(held.id, { emails: [{ value: 'new.hire@example.com' }] });
    const hire = s.tenant.hireUser({ userPrincipalName: 'new.hire@example.com' });
    s.tenant.assign(hire.id);
    s.notion.clearRequests();

    const summary = await s.sync();
    // One unlinked user against 30 links: the listing costs no more than the lookups it saves.
    expect(s.notion.requests().some((request) => request.method === 'GET' && request.query.includes('startIndex'))).toBe(true);
    expect(summary.counts['create.failure']).toBe(1);
    const [row] = await queryLog(s.store.store.db, { target: s.config.target, object: hire.id });
    expect(row?.reason).toContain('already linked to another Entra object');
    expect(ws.accountByUserName('new.hire@example.com')).toBeUndefined();
    expect((await readLink(s.store.store.db, s.config.target, 'user', holder.id))?.notionId).toBe(held.id);
  });
});
