// A group's user members lose it when the group is deleted or swept, as when one edge is removed: the users are marked
// dirty, whatever else the import writes and in which order (their scope and their roles through the group may change).
import { describe, expect, it } from 'vitest';
import { markEvaluated, sweepUnseen, writeMemberships, writeSourceObjects } from '../../../src/store/index.js';
import { readDirtyIds } from '../../helpers/whole-tables.js';
import { mirrorEdge, mirrorObject, storePerFile } from '../../helpers/store.js';

const test = storePerFile();
const db = () => test.current.store.db;
const object = mirrorObject;
const edge = mirrorEdge;

/** Generation 1 of a target of its own: group g (users u1, u2 and group h as members), group other (user u3); nothing dirty. */
async function mirrorOf(target: string): Promise<void> {
  await writeSourceObjects(db(), target, 'users', ['u1', 'u2', 'u3'].map(object), 1);
  await writeSourceObjects(db(), target, 'groups', ['g', 'h', 'other'].map(object), 1);
  await writeMemberships(db(), target, [edge('g', 'u1', 'user'), edge('g', 'u2', 'user'), edge('g', 'h', 'group'), edge('other', 'u3', 'user')], 1);
  await markEvaluated(db(), target, {
    users: ['u1', 'u2', 'u3'].map((id) => ({ id, inScope: true })),
    groups: ['g', 'h', 'other'].map((id) => ({ id, inScope: true })),
  });
  expect(await readDirtyIds(db(), target)).toEqual({ users: [], groups: [] });
}

const dirty = async (target: string) => {
  const ids = await readDirtyIds(db(), target);
  return { users: ids.users.sort(), groups: ids.groups.sort() };
};

describe('the mirror marks dirty', () => {
  it('the user members of a group a delta page reports deleted', async () => {
    await mirrorOf('deleted');
    await writeSourceObjects(db(), 'deleted', 'groups', [{ id: 'g', attributes: null, removedReason: 'deleted' }], 1);
    expect(await dirty('deleted')).toEqual({ users: ['u1', 'u2'], groups: ['g'] });
  });

  it('the user members of a group a full read swept, and of an edge it did not see', async () => {
    // A full read (generation 2) sees groups h and other again, not g, and not the edge other > u3.
    await mirrorOf('swept');
    await writeSourceObjects(db(), 'swept', 'groups', ['h', 'other'].map(object), 2);
    expect(await sweepUnseen(db(), 'swept', 'groups', 2)).toEqual({ objects: 1, memberships: 1 });
    expect(await dirty('swept')).toEqual({ users: ['u1', 'u2', 'u3'], groups: ['g', 'other'] });
  });
});
