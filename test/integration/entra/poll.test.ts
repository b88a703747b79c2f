// Watch mode's poll against the Graph simulator: it sees each kind of change a cycle must import, writes nothing
// but the deltaLink, and leaves a change where the cycle's import finds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntraSource } from '../../../src/entra/index.js';
import { readWatermark } from '../../../src/store/index.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

let session: EntraSession;
let source: EntraSource;

beforeAll(async () => {
  session = await openEntraSession({ seed: 33, users: 300, groups: 20 }, { pageSize: { min: 20, max: 50 } });
  source = session.source();
  expect(await source.importIntoMirror(session.db, TARGET, importOptions)).toMatchObject({ complete: true });
});
afterAll(() => session.close());

const poll = () => source.pollForChanges(session.db, TARGET, { scope: 'assigned', readsAppRoles: false });
const assigned = (id: string): boolean => session.tenant.assignments().some((row) => row.principalId === id);
const groupsOf = (userId: string) => session.tenant.groups().filter((group) => session.tenant.membersOf(group.id).includes(userId));

/** Polls after the change, checks the mirror did not move, then imports and checks the import saw the change. */
async function pollAfter(change: () => void): Promise<string[]> {
  const before = await mirrorSnapshot(session.db);
  change();
  const result = await poll();
  expect(await mirrorSnapshot(session.db)).toEqual(before);
  const imported = await source.importIntoMirror(session.db, TARGET, importOptions);
  expect(imported.complete).toBe(true);
  expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
  expect((await poll()).changed).toEqual([]);
  return result.changed;
}

describe('a watch poll', () => {
  it('with nothing changed sends one request per delta stream and one for the assignments, and writes nothing but the deltaLink', async () => {
    await poll();
    const before = await mirrorSnapshot(session.db);
    session.sim.clearRequests();
    const result = await poll();
    expect(result).toEqual({ changed: [], graphRequests: 3 });
    expect(session.sim.requests().filter((request) => !request.scope).map((request) => request.route).sort()).toEqual([
      '/v1.0/groups/delta', '/v1.0/servicePrincipals/{id}/appRoleAssignedTo', '/v1.0/users/delta',
    ]);
    expect(session.sim.requests().filter((request) => request.scope)).toEqual([]);
    expect(await mirrorSnapshot(session.db)).toEqual(before);
  });

  it('does not read the assignments when every user is in scope and no app role is mapped, and does when one is', async () => {
    await poll();
    const routes = async (options: { scope: 'assigned' | 'all'; readsAppRoles: boolean }) => {
      session.sim.clearRequests();
      await source.pollForChanges(session.db, TARGET, options);
      return session.sim.requests().filter((request) => !request.scope).map((request) => request.route).sort();
    };
    expect(await routes({ scope: 'all', readsAppRoles: false })).toEqual(['/v1.0/groups/delta', '/v1.0/users/delta']);
    expect(await routes({ scope: 'all', readsAppRoles: true })).toContain('/v1.0/servicePrincipals/{id}/appRoleAssignedTo');
  });

  it('sees a disabled user and leaves the change to the import', async () => {
    const user = session.tenant.users().find((candidate) => candidate.accountEnabled && groupsOf(candidate.id).length > 0)!;
    const watermark = await readWatermark(session.db, TARGET, 'users');
    expect(await pollAfter(() => {
      session.tenant.disableUser(user.id);
    })).toEqual(['users']);
    expect((await readWatermark(session.db, TARGET, 'users'))?.deltaLink).not.toEqual(watermark?.deltaLink);
  });

  it('sees a member added to a group', async () => {
    const group = session.tenant.groups()[0]!;
    const user = session.tenant.users().find((candidate) => !session.tenant.membersOf(group.id).includes(candidate.id) && !candidate.deletedDateTime)!;
    expect(await pollAfter(() => session.tenant.addMember(group.id, user.id))).toEqual(['groups']);
  });

  it('sees an assignment added and one removed', async () => {
    const user = session.tenant.users().find((candidate) => !assigned(candidate.id) && !candidate.deletedDateTime)!;
    expect(await pollAfter(() => session.tenant.assign(user.id))).toEqual(['assignments']);
    expect(await pollAfter(() => session.tenant.unassign(user.id))).toEqual(['assignments']);
  });

  it('passes over a user the mirror knows nothing of, and moves the deltaLink past it', async () => {
    // A tenant-wide read knows every user; a new hire in no group and not assigned is the unknown one.
    await poll();
    const watermark = await readWatermark(session.db, TARGET, 'users');
    const hire = session.tenant.hireUser({ displayName: 'Not Ours' });
    expect((await poll()).changed).toEqual([]);
    expect((await readWatermark(session.db, TARGET, 'users'))?.deltaLink).not.toEqual(watermark?.deltaLink);
    // Assigned later, the import reads the user by id: nothing was lost.
    session.tenant.assign(hire.id);
    expect((await poll()).changed).toEqual(['assignments']);
    await source.importIntoMirror(session.db, TARGET, importOptions);
    const mirror = await mirrorSnapshot(session.db);
    expect(mirror.users.find(([id]) => id === hire.id)?.[2]).toMatchObject({ displayName: 'Not Ours' });
  });
});
