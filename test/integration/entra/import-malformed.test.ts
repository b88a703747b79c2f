// Malformed answers played by the Graph simulator (fault kinds `page` and `body`): a page that is not the documented
// shape, anywhere in users/delta, groups/delta, appRoleAssignedTo or an `id eq` batch, must leave the import
// incomplete and the mirror's earlier truth standing (fail closed), never read as "these users are gone".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../../src/sim/graph/index.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

let session: EntraSession;
// Scope `all` makes the users stream a tenant-wide delta read; `full` re-reads it with mark and sweep at its end.
// A role mapping: the app's assignments are read though every user is in scope (assignmentsMatter).
const fullRead = { ...importOptions, scope: 'all' as const, readsAppRoles: true, full: true };

beforeAll(async () => {
  session = await openEntraSession({ seed: 43, users: 120, groups: 8 }, { pageSize: { min: 20, max: 30 } });
  expect(await session.source().importIntoMirror(session.db, TARGET, fullRead)).toMatchObject({ complete: true, fullRead: { users: true } });
});
afterAll(() => session.close());

async function expectFailedClosed(fault: FaultSpec): Promise<void> {
  const before = await mirrorSnapshot(session.db);
  session.sim.injectFault(fault);
  const result = await session.source().importIntoMirror(session.db, TARGET, fullRead);
  expect(result.complete).toBe(false);
  expect(result.incompleteReason).toMatch(/^(malformed|transient|bad-request)/);
  // Nobody on a lost page was swept as gone, no edge or assignment was dropped.
  expect(await mirrorSnapshot(session.db)).toEqual(before);
}

describe('a users/delta page answered 200 in the wrong shape during a full read', () => {
  const shapes = ['value-null', 'value-missing', 'value-object', 'item-not-object', 'item-without-id', 'removed-unknown-reason', 'no-links', 'link-off-host'] as const;
  it.each(shapes)('(%s on page 2) fails the read closed: nobody is swept', async (page) => {
    await expectFailedClosed({ kind: 'page', page, count: 1, match: { path: /\/users\/delta$/, query: /\$skiptoken=/ } });
  });

  it.each([
    ['an HTML error page', '<html><body><h1>Service temporarily unavailable</h1></body></html>', 'text/html'],
    ['a truncated JSON body', '{"@odata.context":"x","value":[{"id":"', 'application/json'],
  ])('(%s) fails the read closed', async (_what, body, contentType) => {
    await expectFailedClosed({ kind: 'body', body, contentType, count: 1, match: { path: /\/users\/delta$/ } });
  });
});

describe('a groups/delta page in the wrong shape', () => {
  it.each(['member-without-id', 'member-not-object', 'value-null', 'item-without-id'] as const)('(%s) fails the read closed: no edge is removed', async (page) => {
    await expectFailedClosed({ kind: 'page', page, count: 1, match: { path: /\/groups\/delta$/ } });
  });
});

describe('an appRoleAssignedTo page in the wrong shape', () => {
  it.each(['value-null', 'item-without-id', 'item-not-object'] as const)('(%s) keeps the earlier assignments', async (page) => {
    await expectFailedClosed({ kind: 'page', page, count: 1, match: { path: /appRoleAssignedTo$/ } });
  });
});

describe('after malformed pages', () => {
  it('a well-formed read completes and the mirror equals the tenant', async () => {
    session.tenant.hardDeleteUser(session.tenant.users().find((user) => !user.deletedDateTime)!.id);
    expect(await session.source().importIntoMirror(session.db, TARGET, fullRead)).toMatchObject({ complete: true });
    // The full read continued from its checkpoint, begun before the deletion: the next delta round reports it.
    expect(await session.source().importIntoMirror(session.db, TARGET, { ...fullRead, full: false })).toMatchObject({ complete: true });
    expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
  });
});

describe('an `id eq` batch read in the wrong shape', () => {
  let small: EntraSession;
  beforeAll(async () => {
    // The app is assigned to few users of a larger tenant: in-scope users are read by id (import-small-scope.test.ts).
    small = await openEntraSession({ seed: 62, users: 400, groups: 20, assignedGroupShare: 0.05, directAssignmentShare: 0.02 });
  });
  afterAll(() => small.close());

  it.each(['value-null', 'item-without-id'] as const)('(%s) leaves the import incomplete', async (page) => {
    small.sim.injectFault({ kind: 'page', page, count: 1, match: { path: /\/users\/delta$/, query: /id eq '/ } });
    const result = await small.source().importIntoMirror(small.db, TARGET, { ...importOptions, full: true });
    expect(result).toMatchObject({ complete: false, incompleteReason: expect.stringMatching(/^malformed/) });
    expect(small.sim.requests().some((record) => record.route === '/v1.0/users/delta' && decodeURIComponent(record.path).includes("id eq '"))).toBe(true);
  });
});
