// The mirror's bulk writes pass each column as one text[] parameter (issue 14): what Graph sends must come back
// exactly, whatever characters an array literal has to quote, on PGlite and on Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAssignmentsOf, readSourceUsers, replaceAssignmentsOf, writeMemberships, writeSourceObjects, type Store } from '../../../src/store/index.js';
import { readMirrorForScope } from '../../helpers/whole-tables.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';

const awkward = ['quote " inside', 'back\\slash', '{braces}', 'comma, here', 'NULL', '', 'new\nline', 'emoji 🧪 and ümlaut', "apostrophe's"];

describe('mirror bulk writes', () => {
  let test: TestStore;
  let store: Store;
  beforeAll(async () => {
    test = await openTestStore();
    store = test.store;
  });
  afterAll(() => test.close());

  it('keep every attribute, removal state and id as written', async () => {
    const objects = awkward.map((text, index) => ({
      id: `user "${index}" \\ {x}`,
      attributes: { displayName: text, nested: { list: [text, null, 1.5, true] }, [text || 'empty']: text },
      removedReason: index % 3 === 0 ? ('changed' as const) : null,
    }));
    expect(await writeSourceObjects(store.db, 'mirror-writes', 'users', objects, 1)).toBe(objects.length);
    const rows = await readSourceUsers(store.db, 'mirror-writes', objects.map((object) => object.id));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const object of objects) {
      expect(byId.get(object.id)).toMatchObject({ attributes: object.attributes, removedReason: object.removedReason, dirty: true, seenGeneration: 1 });
    }
    // The same page again changes nothing.
    expect(await writeSourceObjects(store.db, 'mirror-writes', 'users', objects, 1)).toBe(0);
  });

  it('tell new memberships from known ones, with ids an array literal must quote', async () => {
    const edges = awkward.map((text, index) => ({ groupId: `group ${text}`, memberId: `member "${index}"`, memberType: 'user' as const, removed: false }));
    expect(await writeMemberships(store.db, 'mirror-edges', edges, 1)).toBe(edges.length);
    expect(await writeMemberships(store.db, 'mirror-edges', [...edges, { groupId: 'group \\ new', memberId: 'NULL', memberType: 'group', removed: false }], 2)).toBe(1);
    const { memberships } = await readMirrorForScope(store.db, 'mirror-edges');
    expect(memberships.map((edge) => `${edge.groupId}|${edge.memberId}|${edge.memberType}`).sort()).toEqual(
      [...edges.map((edge) => `${edge.groupId}|${edge.memberId}|user`), 'group \\ new|NULL|group'].sort(),
    );
  });

  it('replace assignments with every field as listed, a missing display name included', async () => {
    const listing = awkward.map((text, index) => ({
      id: `assignment "${index}"`, principalId: `principal ${text}`, principalType: index % 2 ? 'User' : 'Group', appRoleId: `role \\ ${index}`,
      principalDisplayName: index === 4 ? null : text,
    }));
    const principals = listing.map((row) => row.principalId);
    expect(await replaceAssignmentsOf(store.db, 'mirror-assignments', principals, listing)).toBe(listing.length);
    const stored = await readAssignmentsOf(store.db, 'mirror-assignments', listing.map((row) => row.principalId));
    const byId = <T extends { id: string }>(rows: T[]): T[] => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(stored).map(({ id, principalId, principalType, appRoleId, principalDisplayName }) => ({ id, principalId, principalType, appRoleId, principalDisplayName })))
      .toEqual(byId(listing));
    expect(await replaceAssignmentsOf(store.db, 'mirror-assignments', principals, listing.slice(1))).toBe(1);
  });
});
