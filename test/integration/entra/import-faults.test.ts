// Throttling, failed reads (fail closed), expired delta tokens (one full re-read) and the scope-shrink hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourceGroups, readSourceUsers, readTargetState, readWatermark } from '../../../src/store/index.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

let session: EntraSession;

beforeAll(async () => {
  session = await openEntraSession({ seed: 41, users: 300, groups: 20 }, { pageSize: { min: 30, max: 60 } });
  expect((await session.source().importIntoMirror(session.db, TARGET, importOptions)).complete).toBe(true);
});
afterAll(() => session.close());

const initialDeltaRequests = (stream: string): number =>
  session.sim.requests().filter((record) => record.route === `/v1.0/${stream}/delta` && !/\$(skiptoken|deltatoken)=/.test(record.path)).length;

describe('throttling', () => {
  it('waits for Retry-After on 429 and 503 answers and then completes', async () => {
    session.sim.clearRequests();
    session.sim.injectFault({ kind: 'status', status: 429, count: 2, retryAfterSeconds: 1, match: { path: /\/users\/delta/ } });
    session.sim.injectFault({ kind: 'status', status: 503, count: 1, retryAfterSeconds: 1, match: { path: /appRoleAssignedTo/ } });
    const source = session.source();
    const result = await source.importIntoMirror(session.db, TARGET, importOptions);
    expect(result.complete).toBe(true);
    expect(source.stats().throttled).toBe(2);
    const users = session.sim.requests().filter((record) => record.route === '/v1.0/users/delta');
    expect(users.map((record) => record.status)).toEqual([429, 429, 200]);
    // Each retry came no sooner than the Retry-After the answer before it asked for.
    expect(users[1]!.at - users[0]!.at).toBeGreaterThanOrEqual(950);
    expect(users[2]!.at - users[1]!.at).toBeGreaterThanOrEqual(950);
    expect(result.graphRequests).toBe(session.sim.requests().filter((record) => record.route.startsWith('/v1.0/')).length);
  });
});

describe('a Graph read that fails (fail closed)', () => {
  it('leaves the stream it stopped and the last complete import as they were, and applies the changes on the next run', async () => {
    const before = await mirrorSnapshot(session.db);
    const groupsWatermark = await readWatermark(session.db, TARGET, 'groups');
    const lastComplete = (await readTargetState(session.db, TARGET))?.lastCompleteImportAt;
    const user = session.tenant.users()[5]!;
    const group = session.tenant.groups()[2]!;
    session.tenant.renameGroup(group.id, 'Renamed While Failing');
    session.tenant.renameUser(user.id, { displayName: 'Renamed While Failing' });
    session.sim.injectFault({ kind: 'status', status: 500, count: 1, match: { path: /\/groups\/delta/ } });
    const failed = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(failed).toMatchObject({ complete: false, incompleteReason: expect.stringContaining('500') });
    const after = await mirrorSnapshot(session.db);
    expect({ groups: after.groups, memberships: after.memberships, assignments: after.assignments })
      .toEqual({ groups: before.groups, memberships: before.memberships, assignments: before.assignments });
    expect(await readWatermark(session.db, TARGET, 'groups')).toEqual(groupsWatermark);
    expect((await readTargetState(session.db, TARGET))?.lastCompleteImportAt).toEqual(lastComplete);
    // The users delta, read at the same time, committed its pages with its own checkpoint (principle 4).
    expect((await readSourceUsers(session.db, TARGET, [user.id]))[0]?.attributes).toMatchObject({ displayName: 'Renamed While Failing' });

    const next = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(next).toMatchObject({ complete: true, changed: { users: 0, groups: 1 } });
    expect((await readSourceGroups(session.db, TARGET, [group.id]))[0]?.attributes).toMatchObject({ displayName: 'Renamed While Failing' });
  });

  it('takes a 503 from the token endpoint as an outage to retry, not as Entra refusing the credentials', async () => {
    // The sign-in service could not serve: the credentials were never judged. Taken as a refusal, it quarantined the
    // target for 30 minutes and held back a leaver's deactivation, naming the secret as the cause.
    session.sim.injectFault({ kind: 'status', status: 503, count: 1, match: { path: /oauth2\/v2\.0\/token/ } });
    const failed = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(failed).toMatchObject({ complete: false, incompleteKind: 'transient' });
    expect(failed.incompleteReason).toMatch(/answered 503: Entra's sign-in service is unavailable; the next cycle tries again/);
    expect(failed.incompleteReason).not.toContain('[object Object]');
    expect((await session.source().importIntoMirror(session.db, TARGET, importOptions)).complete).toBe(true);
  });

  it('keeps the earlier assignments when their listing fails', async () => {
    const before = (await mirrorSnapshot(session.db)).assignments;
    const user = session.tenant.users().find((candidate) => !session.tenant.assignments().some((row) => row.principalId === candidate.id))!;
    session.tenant.assign(user.id);
    session.sim.injectFault({ kind: 'status', status: 403, count: 1, match: { path: /appRoleAssignedTo/ } });
    const failed = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(failed).toMatchObject({ complete: false, incompleteReason: expect.stringMatching(/^auth/) });
    expect((await mirrorSnapshot(session.db)).assignments).toEqual(before);
    session.tenant.unassign(user.id);
  });
});

describe('an expired delta token', () => {
  for (const answer of ['410', 'syncStateNotFound'] as const) {
    it(`answered ${answer} leads to exactly one full re-read per stream, which sweeps what is gone`, async () => {
      const user = session.tenant.users().find((candidate) => !candidate.deletedDateTime && session.tenant.assignments().every((row) => row.principalId !== candidate.id))!;
      const group = session.tenant.groups().find((candidate) => session.tenant.assignments().every((row) => row.principalId !== candidate.id))!;
      session.tenant.hardDeleteUser(user.id);
      session.tenant.deleteGroup(group.id);
      session.sim.expireDeltaTokens(answer);
      session.sim.clearRequests();
      const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
      expect(result).toMatchObject({ complete: true, fullRead: { users: true, groups: true } });
      expect(initialDeltaRequests('users')).toBe(1);
      expect(initialDeltaRequests('groups')).toBe(1);
      expect(result.changed.users).toBe(1);
      expect(result.changed.groups).toBe(1);
      expect((await readSourceUsers(session.db, TARGET, [user.id]))[0]?.removedReason).toBe('deleted');
      expect((await readSourceGroups(session.db, TARGET, [group.id]))[0]?.removedReason).toBe('deleted');
      expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));

      session.sim.clearRequests();
      expect(await session.source().importIntoMirror(session.db, TARGET, importOptions)).toMatchObject({ complete: true, fullRead: { users: false, groups: false } });
      expect(initialDeltaRequests('users') + initialDeltaRequests('groups')).toBe(0);
    });
  }
});

describe('a scope that shrinks', () => {
  it('is held past the configured share, and accepted when the share allows it', async () => {
    const lastSize = (await readTargetState(session.db, TARGET))?.lastScopeSize;
    const groupAssignments = session.tenant.assignments().filter((row) => row.principalType === 'Group');
    for (const row of groupAssignments) session.tenant.unassign(row.principalId);
    const held = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(held).toMatchObject({ complete: false, scopeShrinkHeld: true, scopeShrinkDetail: expect.stringContaining(`from ${lastSize} to`) });
    expect((await readTargetState(session.db, TARGET))?.lastScopeSize).toBe(lastSize);

    const accepted = await session.source().importIntoMirror(session.db, TARGET, { ...importOptions, scopeShrinkHoldPercent: 100 });
    expect(accepted).toMatchObject({ complete: true, scopeShrinkHeld: false });
    expect((await readTargetState(session.db, TARGET))?.lastScopeSize).toBe(accepted.scope.users);
    for (const row of groupAssignments) session.tenant.assign(row.principalId, row.appRoleId);
  });
});
