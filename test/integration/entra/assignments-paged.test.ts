// An assignment listing of several pages (issue 14: never held whole): the import stages each page and applies the
// listing only once it is complete; a listing that fails midway changes nothing; the watch poll compares page by page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntraSource } from '../../../src/entra/index.js';
import { USER_ROLE_ID, type FaultSpec } from '../../../src/sim/graph/index.js';
import { markEvaluated } from '../../../src/store/index.js';
import { countStagedAssignments, readAssignmentRows, readDirtyIds } from '../../helpers/whole-tables.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

/** Graph's largest `$top`, which the listing asks for. */
const PAGE = 999;
let session: EntraSession;
let source: EntraSource;

beforeAll(async () => {
  // Nearly every user assigned directly: about 2,200 assignments, three pages.
  session = await openEntraSession({ seed: 61, users: 2300, groups: 30, directAssignmentShare: 0.95, assignedGroupShare: 0.5 });
  source = session.source();
  expect(Math.ceil(session.tenant.assignments().length / PAGE)).toBe(3);
  expect(await source.importIntoMirror(session.db, TARGET, importOptions)).toMatchObject({ complete: true });
}, 60_000);
afterAll(() => session.close());

const assigned = (id: string): boolean => session.tenant.assignments().some((row) => row.principalId === id);
/** Principals of this type whose assignment the listing has on this page (0-based), in listing order. */
const onPage = (page: number, type: 'User' | 'Group'): string[] => session.tenant.assignments()
  .flatMap((row, index) => (Math.floor(index / PAGE) === page && row.principalType === type ? [row.principalId] : []));
const unassignedUsers = (): string[] => session.tenant.users().filter((user) => !user.deletedDateTime && !assigned(user.id)).map((user) => user.id);
const userMembers = (groupId: string): string[] => session.tenant.membersOf(groupId).filter((id) => session.tenant.findUser(id) !== undefined);
const withUserMembers = (groupIds: string[]): string[] => groupIds.filter((id) => userMembers(id).length > 0);
const listingRequests = (): number => session.sim.requests().filter((record) => record.route === '/v1.0/servicePrincipals/{id}/appRoleAssignedTo').length;

/** Clears the dirty marks, as a completed cycle does. */
async function settle(): Promise<void> {
  const dirty = await readDirtyIds(session.db, TARGET);
  await markEvaluated(session.db, TARGET, { users: dirty.users.map((id) => ({ id, inScope: true })), groups: dirty.groups.map((id) => ({ id, inScope: true })) });
}

const sortedDirty = async () => {
  const dirty = await readDirtyIds(session.db, TARGET);
  return { users: dirty.users.sort(), groups: dirty.groups.sort() };
};

describe('an import of an assignment listing of three pages', () => {
  it('sets the mirror to the listing and marks the principals of each assignment added, removed or changed', async () => {
    await settle();
    const groupIds = session.tenant.groups().map((group) => group.id);
    const [removedGroup, changedGroup] = withUserMembers(groupIds.filter(assigned));
    const [addedGroup] = withUserMembers(groupIds.filter((id) => !assigned(id)));
    const removedUser = onPage(0, 'User')[0]!;
    const changedUser = onPage(1, 'User')[0]!;
    const addedUser = unassignedUsers()[0]!;
    session.tenant.unassign(removedUser);
    session.tenant.assign(changedUser, USER_ROLE_ID);
    session.tenant.assign(addedUser);
    session.tenant.unassign(removedGroup!);
    session.tenant.assign(changedGroup!, USER_ROLE_ID);
    session.tenant.assign(addedGroup!);
    session.sim.clearRequests();

    const result = await source.importIntoMirror(session.db, TARGET, importOptions);
    expect(result).toMatchObject({ complete: true, changed: { users: 0, groups: 0, memberships: 0, assignments: 6 } });
    expect(listingRequests()).toBe(3);
    expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
    const roles = new Map((await readAssignmentRows(session.db, TARGET)).map((row) => [row.principalId, row.appRoleId]));
    expect([roles.get(changedUser), roles.get(changedGroup!)]).toEqual([USER_ROLE_ID, USER_ROLE_ID]);
    // A user's own assignment marks the user; a group's marks the group and its direct user members.
    const groups = [removedGroup!, changedGroup!, addedGroup!];
    expect(await sortedDirty()).toEqual({
      users: [...new Set([removedUser, changedUser, addedUser, ...groups.flatMap(userMembers)])].sort(),
      groups: [...groups].sort(),
    });
    expect(await countStagedAssignments(session.db, TARGET)).toBe(0);
  });
});

describe('an assignment listing that fails on its second page', () => {
  const secondPage = { match: { path: /appRoleAssignedTo$/, query: /\$skiptoken=/ }, count: 1 };
  it.each<[string, FaultSpec]>([
    ['answered 500', { kind: 'status', status: 500, ...secondPage }],
    ['with an item that names no principal', { kind: 'body', body: JSON.stringify({ value: [{ id: 'no-principal', principalType: 'User' }] }), contentType: 'application/json', ...secondPage }],
  ])('(%s) leaves the assignments as they were, and the next import applies a whole new listing', async (_what, fault) => {
    await settle();
    const before = await readAssignmentRows(session.db, TARGET);
    const [gone, goneLater] = onPage(0, 'User');
    session.tenant.unassign(gone!);
    session.sim.injectFault(fault);
    const failed = await source.importIntoMirror(session.db, TARGET, importOptions);
    expect(failed).toMatchObject({ complete: false, changed: { assignments: 0 }, incompleteReason: expect.stringMatching(/^(transient|malformed)/) });
    expect(await readAssignmentRows(session.db, TARGET)).toEqual(before);
    expect(await sortedDirty()).toEqual({ users: [], groups: [] });
    // The first page was staged, never applied.
    expect(await countStagedAssignments(session.db, TARGET)).toBe(PAGE);

    // Unassigned after the failed listing staged it: a scratch not emptied first would keep the assignment.
    session.tenant.unassign(goneLater!);
    const next = await source.importIntoMirror(session.db, TARGET, importOptions);
    expect(next).toMatchObject({ complete: true, changed: { assignments: 2 } });
    expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
    expect((await sortedDirty()).users).toEqual(expect.arrayContaining([gone, goneLater]));
    expect(await countStagedAssignments(session.db, TARGET)).toBe(0);
  });
});

describe('a watch poll over an assignment listing of three pages', () => {
  const poll = () => source.pollForChanges(session.db, TARGET, { scope: 'assigned', readsAppRoles: false });

  it('does not see a change in an unchanged listing, reading each page once', async () => {
    expect((await poll()).changed).toEqual([]);
    session.sim.clearRequests();
    expect(await poll()).toEqual({ changed: [], graphRequests: 5 });
    expect(listingRequests()).toBe(3);
  });

  it.each<[string, () => void, number]>([
    ['an assignment added (on the last page)', () => session.tenant.assign(unassignedUsers()[0]!), 1],
    ['an assignment removed (from the middle page)', () => session.tenant.unassign(onPage(1, 'User')[0]!), 1],
    ['one assignment swapped for another (the count unchanged)', () => {
      const [newcomer] = unassignedUsers();
      session.tenant.unassign(onPage(0, 'User')[0]!);
      session.tenant.assign(newcomer!);
    }, 2],
  ])('sees %s, reading each page once', async (_what, change, assignments) => {
    const before = await mirrorSnapshot(session.db);
    change();
    session.sim.clearRequests();
    expect(await poll()).toMatchObject({ changed: ['assignments'] });
    expect(listingRequests()).toBe(3);
    expect(await mirrorSnapshot(session.db)).toEqual(before);
    expect(await source.importIntoMirror(session.db, TARGET, importOptions)).toMatchObject({ complete: true, changed: { assignments } });
    expect((await poll()).changed).toEqual([]);
  });
});

describe('check over an assignment listing of three pages', () => {
  it('counts the users and groups of every page, reading each page once', async () => {
    session.sim.clearRequests();
    const report = await source.checkAccess();
    expect(report.ok).toBe(true);
    expect(report.assignments).toEqual({
      users: session.tenant.assignments().filter((row) => row.principalType === 'User').length,
      groups: session.tenant.assignments().filter((row) => row.principalType === 'Group').length,
    });
    expect(listingRequests()).toBe(3);
  });

  it('reports the error, not a count of the pages before it, when a page fails', async () => {
    session.sim.injectFault({ kind: 'status', status: 400, count: 1, match: { path: /appRoleAssignedTo$/, query: /\$skiptoken=/ } });
    const report = await source.checkAccess();
    expect(report).toMatchObject({ ok: false, assignments: { users: 0, groups: 0, error: expect.stringContaining('400') } });
  });
});
