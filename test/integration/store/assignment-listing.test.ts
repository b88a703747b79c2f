// Setting the mirror's assignments to a complete listing in SQL, whether the listing was staged page by page (a cycle's
// import) or read per principal by the caller (on-demand provisioning, here for every principal): the same rows, the
// same count and the same dirty marks. Set for some principals, the others' rows stay as they are.
import { describe, expect, it } from 'vitest';
import {
  applyAssignmentListing, clearAssignmentListing, markEvaluated, replaceAssignmentsOf, stageAssignmentPage, writeMemberships, writeSourceObjects,
  type AssignmentWrite,
} from '../../../src/store/index.js';
import { countStagedAssignments, readAssignmentRows, readDirtyIds } from '../../helpers/whole-tables.js';
import { mirrorEdge, mirrorObject, storePerFile } from '../../helpers/store.js';

const test = storePerFile();
const db = () => test.current.store.db;
const object = mirrorObject;
const edge = mirrorEdge;
const row = (id: string, principalId: string, principalType: string, appRoleId: string, principalDisplayName: string | null): AssignmentWrite =>
  ({ id, principalId, principalType, appRoleId, principalDisplayName });

/** Users u1..u4, groups g1 (members u3, u4 and group g2) and g2 (member u4); nothing dirty. */
async function mirrorOf(target: string): Promise<void> {
  await writeSourceObjects(db(), target, 'users', ['u1', 'u2', 'u3', 'u4'].map(object), 1);
  await writeSourceObjects(db(), target, 'groups', ['g1', 'g2'].map(object), 1);
  await writeMemberships(db(), target, [edge('g1', 'u3', 'user'), edge('g1', 'u4', 'user'), edge('g1', 'g2', 'group'), edge('g2', 'u4', 'user')], 1);
  await settle(target);
}

async function settle(target: string): Promise<void> {
  const dirty = await readDirtyIds(db(), target);
  await markEvaluated(db(), target, { users: dirty.users.map((id) => ({ id, inScope: true })), groups: dirty.groups.map((id) => ({ id, inScope: true })) });
}

const dirtyIds = async (target: string) => {
  const ids = await readDirtyIds(db(), target);
  return { users: ids.users.sort(), groups: ids.groups.sort() };
};

const storedRows = async (target: string) => (await readAssignmentRows(db(), target))
  .map(({ id, principalId, principalType, appRoleId, principalDisplayName }) => ({ id, principalId, principalType, appRoleId, principalDisplayName }))
  .sort((a, b) => a.id.localeCompare(b.id));

const paths = {
  'staged page by page': async (target: string, pages: AssignmentWrite[][]): Promise<number> => {
    await clearAssignmentListing(db(), target);
    for (const page of pages) await stageAssignmentPage(db(), target, page);
    const changed = await db().transaction((tx) => applyAssignmentListing(tx, target));
    expect(await countStagedAssignments(db(), target)).toBe(0);
    return changed;
  },
  'set for every principal': (target: string, pages: AssignmentWrite[][]): Promise<number> =>
    replaceAssignmentsOf(db(), target, ['u1', 'u2', 'u3', 'u4', 'g1', 'g2'], pages.flat()),
};

const first = [
  row('a1', 'u1', 'User', 'r1', 'one'), row('a2', 'g1', 'Group', 'r1', 'G1'), row('a3', 'u2', 'User', 'r1', null),
  row('a4', 'g2', 'Group', 'r1', 'G2'), row('a5', 'u3', 'User', 'r1', 'three'),
];

for (const [name, apply] of Object.entries(paths)) {
  describe(`assignments ${name}`, () => {
    it('are set to the listing, counting and marking dirty the principals of what was added, removed or changed', async () => {
      const target = `listing ${name}`;
      await mirrorOf(target);
      expect(await apply(target, [first.slice(0, 2), first.slice(2)])).toBe(5);
      expect(await storedRows(target)).toEqual(first);
      expect(await dirtyIds(target)).toEqual({ users: ['u1', 'u2', 'u3', 'u4'], groups: ['g1', 'g2'] });
      await settle(target);

      // a1 and a3 (a null display name) unchanged; a2 removed; a4's role and a5's display name changed; a6 added, listed
      // twice across pages (the last row counts).
      const second = [
        [row('a1', 'u1', 'User', 'r1', 'one'), row('a3', 'u2', 'User', 'r1', null), row('a6', 'u1', 'User', 'r1', 'one')],
        [row('a4', 'g2', 'Group', 'r2', 'G2'), row('a5', 'u3', 'User', 'r1', 'three renamed'), row('a6', 'u1', 'User', 'r2', 'one')],
      ];
      expect(await apply(target, second)).toBe(4);
      expect(await storedRows(target)).toEqual([second[0]![0], second[0]![1], ...second[1]!]);
      // g1's removal marks g1 and its user members (not the group g2 in it); g2's change marks g2 and u4.
      expect(await dirtyIds(target)).toEqual({ users: ['u1', 'u3', 'u4'], groups: ['g1', 'g2'] });
      await settle(target);

      expect(await apply(target, second)).toBe(0);
      expect(await dirtyIds(target)).toEqual({ users: [], groups: [] });

      expect(await apply(target, [])).toBe(5);
      expect(await storedRows(target)).toEqual([]);
      expect(await dirtyIds(target)).toEqual({ users: ['u1', 'u2', 'u3', 'u4'], groups: ['g2'] });
    });
  });
}

describe('assignments set for some principals', () => {
  it('change only those principals\' rows, marking dirty what a whole listing would', async () => {
    const target = 'listing of some principals';
    await mirrorOf(target);
    await replaceAssignmentsOf(db(), target, ['u1', 'u2', 'u3', 'g1', 'g2'], first);
    await settle(target);

    // u1's role changed, g1's assignment gone, u4 newly assigned; u2, u3 and g2 are not among them: their rows stay,
    // though the rows given do not name them.
    const some = [row('a1', 'u1', 'User', 'r2', 'one'), row('a7', 'u4', 'User', 'r1', 'four')];
    expect(await replaceAssignmentsOf(db(), target, ['u1', 'g1', 'u4'], some)).toBe(3);
    expect(await storedRows(target)).toEqual([some[0], first[2], first[3], first[4], some[1]]);
    // u1 and u4 for their own rows; g1 and its user members u3 and u4 for g1's.
    expect(await dirtyIds(target)).toEqual({ users: ['u1', 'u3', 'u4'], groups: ['g1'] });
    // The same through a whole listing: the same marks.
    const whole = 'listing of some principals, whole';
    await mirrorOf(whole);
    await replaceAssignmentsOf(db(), whole, ['u1', 'u2', 'u3', 'g1', 'g2'], first);
    await settle(whole);
    await paths['staged page by page'](whole, [[some[0]!, first[2]!, first[3]!, first[4]!, some[1]!]]);
    expect(await dirtyIds(whole)).toEqual(await dirtyIds(target));
    await settle(target);

    expect(await replaceAssignmentsOf(db(), target, ['u1', 'g1', 'u4'], some)).toBe(0);
    expect(await replaceAssignmentsOf(db(), target, [], [])).toBe(0);
    expect(await dirtyIds(target)).toEqual({ users: [], groups: [] });
    await expect(replaceAssignmentsOf(db(), target, ['u1'], [row('a8', 'u2', 'User', 'r1', null)])).rejects.toThrow(/a8 is of u2/);
    expect(await storedRows(target)).toEqual([some[0], first[2], first[3], first[4], some[1]]);
  });
});
