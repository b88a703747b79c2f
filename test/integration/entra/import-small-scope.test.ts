// The small-scope path (in-scope users read with `id eq` filters in batches of 50) and the on-demand import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourceUsers, readWatermark } from '../../../src/store/index.js';
import { readMirrorForScope } from '../../helpers/whole-tables.js';
import { computeScope } from '../../../src/entra/index.js';
import { TARGET, importOptions, openEntraSession, type EntraSession } from './entra-session.js';

let session: EntraSession;
const inScopeOf = (): Set<string> => {
  const { tenant } = session;
  const ids = new Set<string>();
  for (const row of tenant.assignments()) {
    if (row.principalType === 'User') ids.add(row.principalId);
    else for (const id of tenant.membersOf(row.principalId)) if (tenant.memberTypeOf(id) === 'user') ids.add(id);
  }
  return ids;
};

beforeAll(async () => {
  // Groups cover most users, but the app is assigned to few of them: the scope is small against the tenant.
  session = await openEntraSession({ seed: 61, users: 2000, groups: 60, assignedGroupShare: 0.03, directAssignmentShare: 0.02 });
});
afterAll(() => session.close());

describe('a small scope', () => {
  it('reads only the in-scope users, by id, after a "from now on" deltaLink', async () => {
    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(result).toMatchObject({ complete: true, fullRead: { users: true, groups: true } });
    const expected = inScopeOf();
    expect(expected.size).toBeLessThan(500);
    const usersRequests = session.sim.requests().filter((record) => record.route === '/v1.0/users/delta');
    const filtered = usersRequests.filter((record) => decodeURIComponent(record.path).includes("id eq '"));
    expect(usersRequests.filter((record) => !filtered.includes(record)).map((record) => record.path)).toEqual([expect.stringContaining('$deltatoken=latest')]);
    expect(filtered).toHaveLength(Math.ceil(expected.size / 50));
    const mirrored = new Set((await readSourceUsers(session.db, TARGET)).map((row) => row.id));
    expect(mirrored).toEqual(expected);
    const scope = computeScope(await readMirrorForScope(session.db, TARGET), importOptions);
    expect(scope.userIds.size).toBe([...expected].filter((id) => !session.tenant.users().find((user) => user.id === id)?.deletedDateTime).length);
    expect(await readWatermark(session.db, TARGET, 'users')).toMatchObject({ deltaLink: expect.any(String), nextLink: null });
  });

  it('follows changes with the tenant-wide deltaLink and reads a newly assigned user by id', async () => {
    const inScope = [...inScopeOf()][0]!;
    const outsider = session.tenant.users().find((user) => !inScopeOf().has(user.id))!;
    session.tenant.renameUser(inScope, { displayName: 'Renamed In Scope' });
    session.tenant.assign(outsider.id);
    session.sim.clearRequests();
    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(result).toMatchObject({ complete: true, fullRead: { users: false, groups: false }, changed: { users: 2, assignments: 1 } });
    expect((await readSourceUsers(session.db, TARGET, [inScope]))[0]?.attributes).toMatchObject({ displayName: 'Renamed In Scope' });
    expect((await readSourceUsers(session.db, TARGET, [outsider.id]))[0]?.attributes).toMatchObject({ id: outsider.id, displayName: outsider.displayName });
    const byId = session.sim.requests().filter((record) => decodeURIComponent(record.path).includes("id eq '"));
    expect(byId.map((record) => decodeURIComponent(record.path))).toEqual([expect.stringContaining(`id eq '${outsider.id}'`)]);
  });
});

describe('importOneUser', () => {
  it('reads one user by userPrincipalName with its groups and the assignments', async () => {
    const user = session.tenant.users().find((candidate) => !inScopeOf().has(candidate.id) && !candidate.deletedDateTime)!;
    const group = session.tenant.createGroup({ displayName: 'On Demand' });
    session.tenant.addMember(group.id, user.id);
    session.tenant.assign(group.id);
    const answer = await session.source().importOneUser(session.db, TARGET, user.userPrincipalName, importOptions);
    expect(answer).toEqual({ found: true, userId: user.id });
    expect((await readSourceUsers(session.db, TARGET, [user.id]))[0]).toMatchObject({ removedReason: null, dirty: true, attributes: { displayName: user.displayName } });
    const mirror = await readMirrorForScope(session.db, TARGET);
    expect(mirror.memberships.filter((edge) => edge.memberId === user.id).map((edge) => edge.groupId).sort())
      .toEqual(session.tenant.groups().filter((candidate) => session.tenant.membersOf(candidate.id).includes(user.id)).map((candidate) => candidate.id).sort());
    expect(computeScope(mirror, importOptions).userIds.has(user.id)).toBe(true);
  });

  it('answers not found for an unknown user', async () => {
    expect(await session.source().importOneUser(session.db, TARGET, 'nobody@example.invalid', importOptions)).toEqual({ found: false });
  });
});
