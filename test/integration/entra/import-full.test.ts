// An initial import of a 5,000-user, 200-group tenant from the Graph simulator into the mirror.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourceUsers, readTargetState, readWatermark } from '../../../src/store/index.js';
import { readDirtyIds } from '../../helpers/whole-tables.js';
import { TARGET, importOptions, livePicture, mirrorSnapshot, openEntraSession, tenantPicture, type EntraSession } from './entra-session.js';

describe('an initial import of 5,000 users and 200 groups', () => {
  let session: EntraSession;
  beforeAll(async () => {
    session = await openEntraSession({ seed: 11, users: 5000, groups: 200 });
  });
  afterAll(() => session.close());

  it('mirrors every user, group, membership and assignment of the tenant', async () => {
    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(result).toMatchObject({ complete: true, fullRead: { users: true, groups: true }, scopeShrinkHeld: false });
    expect(livePicture(await mirrorSnapshot(session.db))).toEqual(tenantPicture(session.tenant));
    expect(result.changed.users).toBe(5000);
    expect(result.changed.groups).toBe(200);
  });

  it('keeps the selected attributes as Graph returned them', async () => {
    const user = session.tenant.users()[17]!;
    const [row] = await readSourceUsers(session.db, TARGET, [user.id]);
    expect(row?.attributes).toEqual({
      id: user.id, accountEnabled: user.accountEnabled, userPrincipalName: user.userPrincipalName, displayName: user.displayName,
      givenName: user.givenName, surname: user.surname, mail: user.mail, jobTitle: user.jobTitle,
    });
  });

  it('marks every imported object dirty and records the deltaLinks and the scope size', async () => {
    const dirty = await readDirtyIds(session.db, TARGET);
    expect(dirty.users).toHaveLength(5000);
    expect(dirty.groups).toHaveLength(200);
    for (const stream of ['users', 'groups'] as const) {
      expect(await readWatermark(session.db, TARGET, stream)).toMatchObject({ nextLink: null, fullRead: false, readGeneration: 1, deltaLink: expect.stringContaining('$deltatoken=') });
    }
    expect((await readTargetState(session.db, TARGET))?.lastScopeSize).toBeGreaterThan(0);
  });

  it('reads nothing new and changes nothing when the tenant did not change', async () => {
    const before = await mirrorSnapshot(session.db);
    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(result.incompleteReason).toBeUndefined();
    expect(result).toMatchObject({ complete: true, fullRead: { users: false, groups: false }, changed: { users: 0, groups: 0, memberships: 0, assignments: 0 } });
    expect(await mirrorSnapshot(session.db)).toEqual(before);
  });
});
