// A watch poll asks the mirror only about the ids on a users-delta page (issue 14): known through a row, a membership
// or an assignment, and nothing else.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readKnownUserIds, replaceAssignmentsOf, writeMemberships, writeSourceObjects } from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

let test: TestStore;
beforeAll(async () => {
  test = await openTestStore();
});
afterAll(() => test.close());

it('finds the ids the mirror knows through a row, a membership or an assignment, for this target only', async () => {
  const db = test.store.db;
  await writeSourceObjects(db, 'known', 'users', [{ id: 'row', attributes: { displayName: 'Row' }, removedReason: null }], 1);
  await writeMemberships(db, 'known', [{ groupId: 'g', memberId: 'member-only', memberType: 'user', removed: false }], 1);
  await replaceAssignmentsOf(db, 'known', ['assigned-only'], [{ id: 'a1', principalId: 'assigned-only', principalType: 'User', appRoleId: 'r', principalDisplayName: null }]);
  await writeSourceObjects(db, 'other-target', 'users', [{ id: 'elsewhere', attributes: {}, removedReason: null }], 1);

  const known = await readKnownUserIds(db, 'known', ['row', 'member-only', 'assigned-only', 'stranger', 'elsewhere']);
  expect(known.sort()).toEqual(['assigned-only', 'member-only', 'row']);
  expect(await readKnownUserIds(db, 'known', ['stranger'])).toEqual([]);
  expect(await readKnownUserIds(db, 'known', [])).toEqual([]);
});
