// On-demand imports read the assignments of the principals they concern, never the app's whole listing (issue 14):
// filtered by display name, then by id for a mirrored row no name found. Only those principals' rows change, a row is
// dropped only when Graph answers 404 for it, and a failed or malformed read writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimAssignment, SimUser } from '../../../src/sim/graph/index.js';
import { markEvaluated, replaceAssignmentsOf, type SourceAssignmentRow } from '../../../src/store/index.js';
import { readAssignmentRows, readDirtyIds, readMirrorForScope } from '../../helpers/whole-tables.js';
import { computeScope } from '../../../src/entra/index.js';
import { TARGET, importOptions, openEntraSession, type EntraSession } from './entra-session.js';

let session: EntraSession;

beforeAll(async () => {
  session = await openEntraSession({ seed: 73, users: 400, groups: 24 });
  expect(await session.source().importIntoMirror(session.db, TARGET, importOptions)).toMatchObject({ complete: true });
});
afterAll(() => session.close());

const ASSIGNMENTS_ROUTE = '/v1.0/servicePrincipals/{id}/appRoleAssignedTo';
const ONE_ASSIGNMENT_ROUTE = '/v1.0/servicePrincipals/{id}/appRoleAssignedTo/{id}';
const requestsTo = (route: string): string[] => session.sim.requests().filter((record) => record.route === route).map((record) => decodeURIComponent(record.path));

/** Clears the dirty marks, as a completed cycle does. */
async function settle(): Promise<void> {
  const dirty = await readDirtyIds(session.db, TARGET);
  await markEvaluated(session.db, TARGET, { users: dirty.users.map((id) => ({ id, inScope: true })), groups: dirty.groups.map((id) => ({ id, inScope: true })) });
}

const asRow = ({ id, principalId, principalType, appRoleId }: SimAssignment | SourceAssignmentRow) => ({ id, principalId, principalType, appRoleId });
const byId = <T extends { id: string }>(rows: T[]): T[] => [...rows].sort((a, b) => a.id.localeCompare(b.id));
const mirrorRows = async () => byId((await readAssignmentRows(session.db, TARGET)).map(asRow));
const tenantRowsOf = (ids: readonly string[]) => byId(session.tenant.assignments().filter((row) => ids.includes(row.principalId)).map(asRow));
const groupsOf = (userId: string): string[] => session.tenant.groups().filter((group) => session.tenant.membersOf(group.id).includes(userId)).map((group) => group.id);
const isAssigned = (id: string): boolean => session.tenant.assignments().some((row) => row.principalId === id);
/** Users no earlier test took: each test changes the tenant and the mirror for the users it takes. */
const taken = new Set<string>();
function takeUsers(count: number, wanted: (user: SimUser) => boolean): SimUser[] {
  const users = session.tenant.users().filter((user) => !user.deletedDateTime && !taken.has(user.id) && wanted(user)).slice(0, count);
  expect(users).toHaveLength(count);
  for (const user of users) taken.add(user.id);
  return users;
}
/** The mirror's row of a user assigned directly, as the last listing had it. */
async function mirroredRowOf(userId: string): Promise<SourceAssignmentRow> {
  const rows = (await readAssignmentRows(session.db, TARGET)).filter((row) => row.principalId === userId);
  expect(rows.map((row) => row.id)).toEqual(session.tenant.assignments().filter((row) => row.principalId === userId).map((row) => row.id));
  return rows[0]!;
}

describe('importOneUser', () => {
  it('reads the assignments of the user and its groups by name, sets only theirs, and never lists the app\'s whole set', async () => {
    await settle();
    const [user] = takeUsers(1, (candidate) => !isAssigned(candidate.id) && groupsOf(candidate.id).length >= 2) as [SimUser];
    // A name a query string must escape, as a group may have.
    const crew = session.tenant.createGroup({ displayName: "Crew & Co's #1 + more" });
    session.tenant.addMember(crew.id, user.id);
    session.tenant.assign(crew.id);
    // Changes to other principals, which this read must not see.
    const [other] = takeUsers(1, (candidate) => isAssigned(candidate.id)) as [SimUser];
    const elsewhere = session.tenant.assignments().find((row) => row.principalId === other.id);
    session.tenant.unassign(elsewhere!.principalId);
    const before = await mirrorRows();
    session.sim.clearRequests();

    expect(await session.source().importOneUser(session.db, TARGET, user.userPrincipalName, importOptions)).toEqual({ found: true, userId: user.id });

    const concerned = [user.id, ...groupsOf(user.id)];
    const names = new Set([user, ...session.tenant.groups().filter((group) => concerned.includes(group.id))].map((p) => p.displayName.toLowerCase()));
    const listings = requestsTo(ASSIGNMENTS_ROUTE);
    expect(listings).toHaveLength(names.size);
    for (const path of listings) expect(path).toMatch(/\$filter=principalDisplayName eq '/);
    expect(listings).toContainEqual(expect.stringContaining("principalDisplayName eq 'Crew & Co''s #1 + more'"));
    expect(requestsTo(ONE_ASSIGNMENT_ROUTE)).toEqual([]);

    const after = await mirrorRows();
    expect(after.filter((row) => concerned.includes(row.principalId))).toEqual(tenantRowsOf(concerned));
    // Every other principal's rows as they were, the one unassigned since included.
    expect(after.filter((row) => !concerned.includes(row.principalId))).toEqual(before.filter((row) => !concerned.includes(row.principalId)));
    expect(after.some((row) => row.principalId === elsewhere!.principalId)).toBe(true);
    expect(computeScope(await readMirrorForScope(session.db, TARGET), importOptions).userIds.has(user.id)).toBe(true);
    // The user, for its row and for crew's assignment; no group is mirrored as an object by a user's import.
    expect(await readDirtyIds(session.db, TARGET)).toEqual({ users: [user.id], groups: [] });
    // What this read left out is the next cycle's.
    session.tenant.assign(elsewhere!.principalId, elsewhere!.appRoleId);
  });

  it('keeps a row listed under a name no filter finds while Graph still has it by id, and drops it once Graph answers 404', async () => {
    await settle();
    const [user] = takeUsers(1, (candidate) => isAssigned(candidate.id)) as [SimUser];
    const row = await mirroredRowOf(user.id);
    // The user renamed in Entra (the assignment keeps its name here), and the mirror's row under yet another name.
    session.tenant.renameUser(user.id, { displayName: 'Quite Another Name' });
    await replaceAssignmentsOf(session.db, TARGET, [user.id], [{ ...row, principalDisplayName: 'A Name Nobody Has' }]);
    await settle();
    session.sim.clearRequests();

    await session.source().importOneUser(session.db, TARGET, user.id, importOptions);
    expect(requestsTo(ONE_ASSIGNMENT_ROUTE)).toEqual([expect.stringContaining(`/appRoleAssignedTo/${row.id}`)]);
    expect((await readAssignmentRows(session.db, TARGET)).filter((candidate) => candidate.principalId === user.id))
      .toEqual([expect.objectContaining({ id: row.id, principalDisplayName: user.displayName })]);
    expect((await readDirtyIds(session.db, TARGET)).users).toEqual([user.id]);

    // Found by the name the mirror now has; unassigned, it is gone by name and by id.
    session.sim.clearRequests();
    session.tenant.unassign(user.id);
    await session.source().importOneUser(session.db, TARGET, user.id, importOptions);
    expect(requestsTo(ONE_ASSIGNMENT_ROUTE)).toHaveLength(1);
    expect((await readAssignmentRows(session.db, TARGET)).filter((candidate) => candidate.principalId === user.id)).toEqual([]);
    expect(computeScope(await readMirrorForScope(session.db, TARGET), importOptions).userIds.has(user.id)).toBe(false);
  });

  it.each([
    ['a filtered listing answers 400', { kind: 'status' as const, status: 400, count: 1, match: { path: /appRoleAssignedTo$/ } }],
    ['a filtered listing has an item that names no principal', {
      kind: 'body' as const, body: JSON.stringify({ value: [{ id: 'no-principal', principalType: 'User' }] }), contentType: 'application/json', count: 1,
      match: { path: /appRoleAssignedTo$/ },
    }],
    ['the read by id answers 403', { kind: 'status' as const, status: 403, count: 1, match: { path: /appRoleAssignedTo\/[^/]+$/ } }],
  ])('writes nothing when %s', async (_what, fault) => {
    await settle();
    const [user] = takeUsers(1, (candidate) => isAssigned(candidate.id) && groupsOf(candidate.id).length > 0) as [SimUser];
    const row = await mirroredRowOf(user.id);
    // A mirrored row no name finds, so that the read by id is asked for; and a change the failed read must not write.
    await replaceAssignmentsOf(session.db, TARGET, [user.id], [{ ...row, principalDisplayName: null }]);
    session.tenant.unassign(user.id);
    await settle();
    const before = { rows: await readAssignmentRows(session.db, TARGET), mirror: await readMirrorForScope(session.db, TARGET) };
    session.sim.injectFault(fault);

    await expect(session.source().importOneUser(session.db, TARGET, user.id, importOptions)).rejects.toThrow();
    expect(await readAssignmentRows(session.db, TARGET)).toEqual(before.rows);
    expect(await readMirrorForScope(session.db, TARGET)).toEqual(before.mirror);
    expect(await readDirtyIds(session.db, TARGET)).toEqual({ users: [], groups: [] });
    session.tenant.assign(user.id, row.appRoleId);
  });
});

describe('importOneGroup', () => {
  it('reads the assignments of the group and of the members it chooses only, however many members it has', async () => {
    await settle();
    const members = takeUsers(60, (user) => !isAssigned(user.id));
    const group = session.tenant.createGroup({ displayName: 'Very Large Crew' });
    for (const member of members) session.tenant.addMember(group.id, member.id);
    session.tenant.assign(group.id);
    const elsewhere = session.tenant.assignments().find((row) => row.principalType === 'Group');
    session.tenant.unassign(elsewhere!.principalId);
    const before = await mirrorRows();
    session.sim.clearRequests();

    const answer = await session.source().importOneGroup(session.db, TARGET, 'Very Large Crew', importOptions, 5);
    expect(answer).toMatchObject({ found: true, groupId: group.id, userMembers: 60, inScopeMembers: 60 });
    const chosen = answer.found ? answer.chosen.map((member) => member.id) : [];
    expect(chosen).toHaveLength(5);

    const concerned = [group.id, ...chosen];
    const listings = requestsTo(ASSIGNMENTS_ROUTE);
    const names = new Set(['Very Large Crew', ...members.filter((member) => chosen.includes(member.id)).map((member) => member.displayName)].map((name) => name.toLowerCase()));
    expect(listings).toHaveLength(names.size);
    for (const path of listings) expect(path).toMatch(/\$filter=principalDisplayName eq '/);
    expect(requestsTo(ONE_ASSIGNMENT_ROUTE)).toEqual([]);
    const after = await mirrorRows();
    expect(after.filter((row) => concerned.includes(row.principalId))).toEqual(tenantRowsOf(concerned));
    expect(after.filter((row) => !concerned.includes(row.principalId))).toEqual(before.filter((row) => !concerned.includes(row.principalId)));
    session.tenant.assign(elsewhere!.principalId, elsewhere!.appRoleId);
  });

  it('finds a group, and reads its assignments, by a name a query string must escape', async () => {
    const [member] = takeUsers(1, (user) => !isAssigned(user.id));
    const group = session.tenant.createGroup({ displayName: "R&D #2 + Co's" });
    session.tenant.addMember(group.id, member!.id);
    session.tenant.assign(group.id);
    const answer = await session.source().importOneGroup(session.db, TARGET, "r&d #2 + co's", importOptions, 5);
    expect(answer).toMatchObject({ found: true, groupId: group.id, inScopeMembers: 1, chosen: [{ id: member!.id }] });
    expect((await mirrorRows()).filter((row) => row.principalId === group.id)).toEqual(tenantRowsOf([group.id]));
  });

  it('counts the members the mirror has in scope, and leaves out a chosen one its own fresh assignments take out', async () => {
    await settle();
    const [stays, leaves] = takeUsers(2, (user) => isAssigned(user.id) && groupsOf(user.id).every((id) => !isAssigned(id)));
    await mirroredRowOf(stays!.id);
    await mirroredRowOf(leaves!.id);
    const group = session.tenant.createGroup({ displayName: 'Unassigned Pair' });
    session.tenant.addMember(group.id, stays!.id);
    session.tenant.addMember(group.id, leaves!.id);
    // Assigned directly by the mirror's last listing; one of them no longer.
    session.tenant.unassign(leaves!.id);

    const answer = await session.source().importOneGroup(session.db, TARGET, group.id, importOptions, 5);
    expect(answer).toMatchObject({ found: true, userMembers: 2, inScopeMembers: 1, chosen: [{ id: stays!.id }] });
    const rows = await readAssignmentRows(session.db, TARGET);
    expect(rows.some((row) => row.principalId === leaves!.id)).toBe(false);
    expect(rows.some((row) => row.principalId === stays!.id)).toBe(true);
  });
});

// Last in this file: it reads the mirror with nested scope.
describe('with nested scope', () => {
  it('reads the assignments of the groups that hold the user\'s groups in the mirror', async () => {
    const nested = { ...importOptions, transitiveGroups: true };
    const [user] = takeUsers(1, (candidate) => !isAssigned(candidate.id) && groupsOf(candidate.id).every((id) => !isAssigned(id))) as [SimUser];
    const inner = session.tenant.createGroup({ displayName: 'Inner Circle' });
    const outer = session.tenant.createGroup({ displayName: 'Outer Circle' });
    session.tenant.addMember(inner.id, user.id);
    session.tenant.addMember(outer.id, inner.id);
    expect(await session.source({ transitiveGroups: true }).importIntoMirror(session.db, TARGET, nested)).toMatchObject({ complete: true });
    session.tenant.assign(outer.id);
    session.sim.clearRequests();

    await session.source({ transitiveGroups: true }).importOneUser(session.db, TARGET, user.id, nested);
    expect(requestsTo(ASSIGNMENTS_ROUTE)).toContainEqual(expect.stringContaining("principalDisplayName eq 'Outer Circle'"));
    expect((await mirrorRows()).filter((row) => row.principalId === outer.id)).toEqual(tenantRowsOf([outer.id]));
    expect(computeScope(await readMirrorForScope(session.db, TARGET), nested).userIds.has(user.id)).toBe(true);
    expect(computeScope(await readMirrorForScope(session.db, TARGET), importOptions).userIds.has(user.id)).toBe(false);
  });
});
