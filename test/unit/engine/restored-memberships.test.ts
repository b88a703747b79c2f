// Reading a returning member's groups back: only a complete listing of well-formed groups is believed.
import { describe, expect, it } from 'vitest';
import type { ApplyContext } from '../../../src/engine/apply-context.js';
import { readGroupsOfMember } from '../../../src/engine/restored-memberships.js';
import type { ScimGroup, ScimListing } from '../../../src/scim/index.js';

const withListing = (listing: ScimListing<ScimGroup>): ApplyContext => ({ scim: { listAllGroups: async () => listing } }) as unknown as ApplyContext;
const complete = (resources: ScimGroup[]): ScimListing<ScimGroup> => ({ resources, complete: true, duplicatesSeen: 0 });

describe('readGroupsOfMember', () => {
  it('finds the groups whose members carry the user, an empty group without members included', async () => {
    const groups = await readGroupsOfMember(withListing(complete([
      { id: 'g1', displayName: 'One', members: [{ value: 'u' }, { value: 'v' }] },
      { id: 'g2', displayName: 'Two', members: [{ value: 'v' }] },
      { id: 'g3', displayName: 'Empty' },
    ])), 'u');
    expect([...groups]).toEqual(['g1']);
  });

  it('refuses an incomplete listing', async () => {
    const ctx = withListing({ resources: [{ id: 'g1', displayName: 'One', members: [{ value: 'u' }] }], complete: false, duplicatesSeen: 1 });
    await expect(readGroupsOfMember(ctx, 'u')).rejects.toMatchObject({ kind: 'unexpected-response', message: expect.stringContaining('incomplete') });
  });

  it.each([
    ['members that are not a list', { id: 'g1', displayName: 'One', members: 'u' }],
    ['a member without an id', { id: 'g1', displayName: 'One', members: [{ display: 'Ada' }] }],
    ['a member that is not an object', { id: 'g1', displayName: 'One', members: ['u'] }],
  ])('refuses a group with %s', async (_name, group) => {
    await expect(readGroupsOfMember(withListing(complete([group as unknown as ScimGroup])), 'u')).rejects.toMatchObject({ kind: 'unexpected-response' });
  });
});
