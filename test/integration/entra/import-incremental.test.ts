// Incremental imports after each kind of directory change record exactly that change in the mirror.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntraSource, ImportResult } from '../../../src/entra/index.js';
import { markEvaluated, readSourceGroups, readSourceUsers } from '../../../src/store/index.js';
import { readDirtyIds } from '../../helpers/whole-tables.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

let session: EntraSession;
let source: EntraSource;

beforeAll(async () => {
  session = await openEntraSession({ seed: 21, users: 400, groups: 30 }, { pageSize: { min: 20, max: 50 } });
  source = session.source();
  const initial = await source.importIntoMirror(session.db, TARGET, importOptions);
  expect(initial).toMatchObject({ complete: true, fullRead: { users: true, groups: true } });
});
afterAll(() => session.close());

/** Clears the dirty marks, applies the change, imports, and checks the mirror still equals the tenant. */
async function importAfter(change: () => void): Promise<{ result: ImportResult; dirty: { users: string[]; groups: string[] } }> {
  const before = await readDirtyIds(session.db, TARGET);
  const settled = (ids: string[]) => ids.map((id) => ({ id, inScope: true }));
  await markEvaluated(session.db, TARGET, { users: settled(before.users), groups: settled(before.groups) });
  change();
  const result = await source.importIntoMirror(session.db, TARGET, importOptions);
  expect(result).toMatchObject({ complete: true, fullRead: { users: false, groups: false } });
  expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
  const dirty = await readDirtyIds(session.db, TARGET);
  return { result, dirty: { users: dirty.users.sort(), groups: dirty.groups.sort() } };
}

const userRow = async (id: string) => (await readSourceUsers(session.db, TARGET, [id]))[0];
const groupRow = async (id: string) => (await readSourceGroups(session.db, TARGET, [id]))[0];
const groupsOf = (userId: string): string[] => session.tenant.groups().filter((group) => session.tenant.membersOf(group.id).includes(userId)).map((group) => group.id).sort();
const assigned = (id: string): boolean => session.tenant.assignments().some((row) => row.principalId === id);
/** A user in at least one group and not assigned directly, so a lifecycle change shows in memberships only. */
const memberUser = (skip: number) => session.tenant.users().filter((user) => groupsOf(user.id).length > 0 && !assigned(user.id) && !user.deletedDateTime)[skip]!;

describe('an incremental import after a user change', () => {
  it('adds a hired user', async () => {
    let id = '';
    const { result, dirty } = await importAfter(() => (id = session.tenant.hireUser({ displayName: 'New Hire' }).id));
    expect(result.changed).toEqual({ users: 1, groups: 0, memberships: 0, assignments: 0 });
    expect(dirty).toEqual({ users: [id], groups: [] });
    expect((await userRow(id))?.attributes).toMatchObject({ displayName: 'New Hire' });
  });

  it('records a rename', async () => {
    const user = memberUser(0);
    const { result, dirty } = await importAfter(() => session.tenant.renameUser(user.id, { displayName: 'Renamed Person' }));
    expect(result.changed).toEqual({ users: 1, groups: 0, memberships: 0, assignments: 0 });
    expect(dirty).toEqual({ users: [user.id], groups: [] });
    expect((await userRow(user.id))?.attributes).toMatchObject({ displayName: 'Renamed Person' });
  });

  it('records a disable and an enable', async () => {
    const user = session.tenant.users().find((candidate) => candidate.accountEnabled)!;
    const disabled = await importAfter(() => session.tenant.disableUser(user.id));
    expect(disabled.dirty).toEqual({ users: [user.id], groups: [] });
    expect((await userRow(user.id))?.attributes).toMatchObject({ accountEnabled: false });
    const enabled = await importAfter(() => session.tenant.enableUser(user.id));
    expect(enabled.result.changed.users).toBe(1);
    expect((await userRow(user.id))?.attributes).toMatchObject({ accountEnabled: true });
  });

  it('keeps a soft delete as "changed" with the last attributes, and drops its memberships until restore', async () => {
    const user = memberUser(1);
    const groups = groupsOf(user.id);
    const before = (await userRow(user.id))?.attributes;
    const deleted = await importAfter(() => session.tenant.softDeleteUser(user.id));
    expect(deleted.result.changed).toEqual({ users: 1, groups: 0, memberships: groups.length, assignments: 0 });
    expect(deleted.dirty).toEqual({ users: [user.id], groups });
    expect(await userRow(user.id)).toMatchObject({ removedReason: 'changed', attributes: before });

    const restored = await importAfter(() => session.tenant.restoreUser(user.id));
    expect(restored.result.changed).toEqual({ users: 1, groups: 0, memberships: groups.length, assignments: 0 });
    expect(restored.dirty).toEqual({ users: [user.id], groups });
    expect(await userRow(user.id)).toMatchObject({ removedReason: null });
  });

  it('records a hard delete as "deleted" and removes its memberships', async () => {
    const user = memberUser(2);
    const groups = groupsOf(user.id);
    const { result, dirty } = await importAfter(() => session.tenant.hardDeleteUser(user.id));
    expect(result.changed).toEqual({ users: 1, groups: 0, memberships: groups.length, assignments: 0 });
    expect(dirty).toEqual({ users: [user.id], groups });
    expect(await userRow(user.id)).toMatchObject({ removedReason: 'deleted' });
  });
});

describe('an incremental import after an assignment change', () => {
  it('records an assignment and an unassignment, marking the user dirty (its scope changed)', async () => {
    const user = session.tenant.users().find((candidate) => !assigned(candidate.id) && !candidate.deletedDateTime)!;
    const added = await importAfter(() => session.tenant.assign(user.id));
    expect(added.result.changed).toEqual({ users: 0, groups: 0, memberships: 0, assignments: 1 });
    expect(added.dirty).toEqual({ users: [user.id], groups: [] });
    const removed = await importAfter(() => session.tenant.unassign(user.id));
    expect(removed.result.changed).toEqual({ users: 0, groups: 0, memberships: 0, assignments: 1 });
    expect(removed.dirty).toEqual({ users: [user.id], groups: [] });
  });
});

describe('an incremental import after a group change', () => {
  it('records a member added and removed, marking the group and the member dirty', async () => {
    const group = session.tenant.groups()[0]!;
    const user = session.tenant.users().find((candidate) => !session.tenant.membersOf(group.id).includes(candidate.id) && !candidate.deletedDateTime)!;
    const added = await importAfter(() => session.tenant.addMember(group.id, user.id));
    expect(added.result.changed).toEqual({ users: 0, groups: 0, memberships: 1, assignments: 0 });
    expect(added.dirty).toEqual({ users: [user.id], groups: [group.id] });
    const removed = await importAfter(() => session.tenant.removeMember(group.id, user.id));
    expect(removed.result.changed).toEqual({ users: 0, groups: 0, memberships: 1, assignments: 0 });
    expect(removed.dirty).toEqual({ users: [user.id], groups: [group.id] });
  });

  it('adds a created group and records a rename', async () => {
    let id = '';
    const created = await importAfter(() => (id = session.tenant.createGroup({ displayName: 'Fresh Group' }).id));
    expect(created.result.changed).toEqual({ users: 0, groups: 1, memberships: 0, assignments: 0 });
    expect(created.dirty).toEqual({ users: [], groups: [id] });
    const renamed = await importAfter(() => session.tenant.renameGroup(id, 'Renamed Group'));
    expect(renamed.result.changed.groups).toBe(1);
    expect((await groupRow(id))?.attributes).toMatchObject({ displayName: 'Renamed Group' });
  });

  it('records a deleted group as "deleted" with its memberships gone, and its assignment', async () => {
    const group = session.tenant.groups().find((candidate) => assigned(candidate.id) && session.tenant.membersOf(candidate.id).length > 0)!;
    const members = session.tenant.membersOf(group.id).length;
    const parents = session.tenant.groups().filter((candidate) => session.tenant.membersOf(candidate.id).includes(group.id)).map((candidate) => candidate.id);
    // The assignment's removal marks the group's user members: they may leave scope.
    const memberUsers = session.tenant.membersOf(group.id).filter((id) => session.tenant.findUser(id) !== undefined).sort();
    const { result, dirty } = await importAfter(() => session.tenant.deleteGroup(group.id));
    expect(result.changed).toEqual({ users: 0, groups: 1, memberships: parents.length, assignments: 1 });
    expect(dirty).toEqual({ users: memberUsers, groups: [group.id, ...parents].sort() });
    expect(await groupRow(group.id)).toMatchObject({ removedReason: 'deleted' });
    expect(members).toBeGreaterThan(0);
  });

  it.each([['the assignment listing', /appRoleAssignedTo$/], ['the groups delta', /\/groups\/delta$/]])(
    'marks the user members of a deleted, assigned group when %s is written last', async (_slow, path) => {
      const group = session.tenant.groups().find((candidate) => assigned(candidate.id) && session.tenant.membersOf(candidate.id).some((id) => session.tenant.findUser(id)))!;
      const memberUsers = session.tenant.membersOf(group.id).filter((id) => session.tenant.findUser(id) !== undefined).sort();
      const { dirty } = await importAfter(() => {
        session.tenant.deleteGroup(group.id);
        // A 503 with Retry-After holds this read back by a second: the other read writes first.
        session.sim.injectFault({ kind: 'status', status: 503, count: 1, retryAfterSeconds: 1, match: { path } });
      });
      expect(dirty.users).toEqual(memberUsers);
    },
  );
});
