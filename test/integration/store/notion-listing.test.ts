// Notion's listing spooled page by page (issue 14): what Notion answered comes back exactly, by key and by id, whatever
// characters an array literal or JSON has to quote; a repeat keeps the first copy and is not counted as new; the
// unaccounted members are one query. On PGlite and on Postgres.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  clearNotionListing, markListedUsersAccounted, readListedByIds, readListedByKeys, readUnaccountedListedUsers, saveLink, writeNotionListingPage,
  type ListedObject,
} from '../../../src/store/index.js';
import { rowsOf } from '../../../src/store/raw-rows.js';
import { storePerFile } from '../../helpers/store.js';

const awkward = ['quote " inside', 'back\\slash', '{braces}', 'comma, here', 'NULL', '', 'new\nline', 'emoji 🧪 and ümlaut', "apostrophe's", 'tab\there'];

const listedUser = (id: string, userName: string, extra: Partial<ListedObject> & { resource?: Record<string, unknown> } = {}): ListedObject => ({
  notionId: id, matchName: userName.toLowerCase(), emails: [], active: true, owner: false, ...extra,
  resource: { id, userName, active: extra.active ?? true, ...extra.resource },
});

describe('the Notion listing spool', () => {
  const test = storePerFile();

  it('gives back every listed user as written, by matching key and by id, and counts only new ones', async () => {
    const users = awkward.map((text, index) => listedUser(`user "${index}" \\ {x}`, `${text}@example.com`, {
      emails: [`mail ${text}`.toLowerCase(), `second "${index}"`],
      resource: { name: { formatted: text, list: [text, null, 1.5, true] }, [text || 'empty']: text, emails: [{ value: `Mail ${text}` }] },
    }));
    expect(await writeNotionListingPage(test.current.store.db, 'spool', 'user', users.slice(0, 6))).toBe(6);
    // The next page repeats two users (an unstable walk) with other content: their first copy stays.
    const repeated = users.slice(4, 6).map((user) => ({ ...user, matchName: 'changed', resource: { ...user.resource, userName: 'changed' } }));
    expect(await writeNotionListingPage(test.current.store.db, 'spool', 'user', [...repeated, ...users.slice(6)])).toBe(users.length - 6);
    // A page that repeats one of its own users counts it once.
    expect(await writeNotionListingPage(test.current.store.db, 'spool', 'user', [listedUser('twice', 'twice@example.com'), listedUser('twice', 'twice@example.com')])).toBe(1);

    const byId = await readListedByIds(test.current.store.db, 'spool', 'user', [...users.map((user) => user.notionId), 'not listed']);
    expect(byId.size).toBe(users.length);
    for (const user of users) expect(byId.get(user.notionId)).toEqual(user.resource);

    const byName = await readListedByKeys(test.current.store.db, 'spool', 'user', awkward.map((text) => `${text}@example.com`.toLowerCase()));
    expect(byName.map((resource) => resource.id).sort()).toEqual(users.map((user) => user.notionId).sort());
    const byEmail = await readListedByKeys(test.current.store.db, 'spool', 'user', ['second "3"', 'mail {braces}', 'changed']);
    expect(byEmail.map((resource) => resource.id).sort()).toEqual(['user "2" \\ {x}', 'user "3" \\ {x}']);
    // A user reached by its userName and by an email is one candidate.
    expect(await readListedByKeys(test.current.store.db, 'spool', 'user', ['quote " inside@example.com', 'second "0"'])).toHaveLength(1);
  });

  it('stores a NUL, which Postgres cannot hold, as U+FFFD in the keys and the resource alike', async () => {
    const user = listedUser('nul', 'Nul\u0000Byte@example.com', { emails: ['a\u0000b@example.com'], resource: { 'k\u0000': 'escaped \\u0000 stays', name: { formatted: 'x\u0000y' } } });
    expect(await writeNotionListingPage(test.current.store.db, 'spool-nul', 'user', [user])).toBe(1);
    const [found] = await readListedByKeys(test.current.store.db, 'spool-nul', 'user', ['nul\uFFFDbyte@example.com']);
    expect(found).toEqual({ id: 'nul', userName: 'Nul\uFFFDByte@example.com', active: true, 'k\uFFFD': 'escaped \\u0000 stays', name: { formatted: 'x\uFFFDy' } });
    expect(await readListedByKeys(test.current.store.db, 'spool-nul', 'user', ['a\uFFFDb@example.com'])).toHaveLength(1);
  });

  it('keeps groups apart from users, matched by display name', async () => {
    await writeNotionListingPage(test.current.store.db, 'spool-groups', 'group', [
      { notionId: 'g1', matchName: 'sales "emea"', emails: [], active: true, owner: false, resource: { id: 'g1', displayName: 'Sales "EMEA"', members: [{ value: 'u1' }] } },
    ]);
    await writeNotionListingPage(test.current.store.db, 'spool-groups', 'user', [listedUser('g1', 'sales "emea"')]);
    expect(await readListedByKeys(test.current.store.db, 'spool-groups', 'group', ['sales "emea"'])).toEqual([{ id: 'g1', displayName: 'Sales "EMEA"', members: [{ value: 'u1' }] }]);
    expect([...(await readListedByIds(test.current.store.db, 'spool-groups', 'group', ['g1'])).keys()]).toEqual(['g1']);
  });

  it('reports the active users not accounted for, leaving out owners, protected users and those a link holds', async () => {
    const target = 'spool-unaccounted';
    await writeNotionListingPage(test.current.store.db, target, 'user', [
      listedUser('n1', 'kept@example.com'),
      listedUser('n3', 'leaver@example.com'),
      listedUser('n4', 'Admin@Example.com'),
      listedUser('n5', 'founder@example.com', { owner: true }),
      listedUser('n6', 'gone@example.com', { active: false }),
      listedUser('n7', 'Unassigned "quoted"@example.com'),
      listedUser('n8', 'linked@example.com'),
      listedUser('n9', 'disabled.link@example.com'),
      listedUser('n10', 'waiting@example.com'),
      listedUser('n11', 'pending@example.com'),
    ]);
    const now = new Date();
    await saveLink(test.current.store.db, target, { objectType: 'user', sourceId: 'e8', notionId: 'n8', state: 'active', applied: {} }, now);
    await saveLink(test.current.store.db, target, { objectType: 'user', sourceId: 'e9', notionId: 'n9', state: 'disabled', applied: {} }, now);
    await saveLink(test.current.store.db, target, { objectType: 'user', sourceId: 'notion:n10', notionId: 'n10', state: 'unaccounted', applied: {} }, now);
    await saveLink(test.current.store.db, target, { objectType: 'user', sourceId: 'e11', notionId: 'n11', state: 'pending-create', applied: {} }, now);
    // The same Notion id held under another target or as a group counts for nothing here.
    await saveLink(test.current.store.db, 'elsewhere', { objectType: 'user', sourceId: 'e3', notionId: 'n3', state: 'active', applied: {} }, now);
    await saveLink(test.current.store.db, target, { objectType: 'group', sourceId: 'g7', notionId: 'n7', state: 'active', applied: {} }, now);
    await markListedUsersAccounted(test.current.store.db, target, ['n1']);

    const found = await readUnaccountedListedUsers(test.current.store.db, target, { protectedUserNames: ['admin@example.com'], heldIn: ['active', 'disabled', 'deleted', 'unaccounted'] });
    expect(found.sort((a, b) => a.notionId.localeCompare(b.notionId))).toEqual([
      { notionId: 'n11', userName: 'pending@example.com' },
      { notionId: 'n3', userName: 'leaver@example.com' },
      { notionId: 'n7', userName: 'Unassigned "quoted"@example.com' },
    ]);
  });

  it('gives the unaccounted users a page at a time by Notion id, each once, when asked for pages', async () => {
    const db = test.current.store.db;
    await writeNotionListingPage(db, 'paged', 'user', Array.from({ length: 7 }, (_, i) => listedUser(`p${i}`, `paged.${i}@example.com`)));
    const query = { protectedUserNames: ['paged.3@example.com'], heldIn: ['active'] };
    const first = await readUnaccountedListedUsers(db, 'paged', query, { limit: 4 });
    const second = await readUnaccountedListedUsers(db, 'paged', query, { limit: 4, afterNotionId: first.at(-1)!.notionId });
    expect(first.map((m) => m.notionId)).toEqual(['p0', 'p1', 'p2', 'p4']);
    expect(second.map((m) => m.notionId)).toEqual(['p5', 'p6']);
  });

  it('clears one target without touching another', async () => {
    await writeNotionListingPage(test.current.store.db, 'spool-a', 'user', [listedUser('a', 'a@example.com')]);
    await writeNotionListingPage(test.current.store.db, 'spool-b', 'user', [listedUser('b', 'b@example.com')]);
    await clearNotionListing(test.current.store.db, 'spool-a');
    expect((await readListedByIds(test.current.store.db, 'spool-a', 'user', ['a'])).size).toBe(0);
    expect((await readListedByIds(test.current.store.db, 'spool-b', 'user', ['b'])).size).toBe(1);
  });

  it('keeps no pending list on the email index, which every search would scan whole', async () => {
    // A cycle writes its listing and searches it before anything merges a GIN pending list (100,000 users: 1.7 to 3.2 s
    // per 1,000 keys with it, 0.3 s without).
    const rows = await rowsOf<{ options: string[] | null }>(test.current.store.db, sql`select reloptions as options from pg_class where relname = 'notion_listing_emails'`);
    expect(rows).toEqual([{ options: ['fastupdate=false'] }]);
  });
});
