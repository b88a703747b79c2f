// Reading a returning member's groups back: only complete, well-formed answers are believed.
import { describe, expect, it } from 'vitest';
import type { ApplyContext } from '../../../src/engine/apply-context.js';
import { readGroupsOfMember, singleReadsUpTo } from '../../../src/engine/restored-memberships.js';
import type { ListingWalk, PageConsumer, ScimGroup } from '../../../src/scim/index.js';

/**
 * A Notion side with these groups, listed in pages of two; an unstable listing serves its first group twice and never
 * its last. Counts the reads made.
 */
function notionWith(groups: ScimGroup[], complete = true) {
  const reads = { listings: 0, gets: 0 };
  const scim = {
    walkGroups: async (onPage: PageConsumer<ScimGroup>): Promise<ListingWalk> => {
      reads.listings += 1;
      const served = complete ? groups : [groups[0]!, ...groups.slice(0, -1)];
      let duplicatesSeen = 0;
      for (let at = 0; at < served.length; at += 2) {
        const page = served.slice(at, at + 2);
        duplicatesSeen += page.length - (await onPage(page));
      }
      return { complete: duplicatesSeen === 0, duplicatesSeen };
    },
    getGroup: async (id: string): Promise<ScimGroup | null> => {
      reads.gets += 1;
      return groups.find((group) => group.id === id) ?? null;
    },
  };
  const ctx = { scim, logger: { info: () => undefined } } as unknown as ApplyContext;
  return { ctx, reads };
}

const many = Array.from({ length: singleReadsUpTo + 2 }, (_, i) => ({ id: `g${i}`, displayName: `G${i}`, members: i % 2 === 0 ? [{ value: 'u' }] : [{ value: 'v' }] }));

describe('readGroupsOfMember', () => {
  it('reads a few groups one by one, a group without members or deleted in Notion holding nobody', async () => {
    const { ctx, reads } = notionWith([{ id: 'g1', displayName: 'One', members: [{ value: 'u' }] }, { id: 'g2', displayName: 'Empty' }]);
    expect([...(await readGroupsOfMember(ctx, 'u', ['g1', 'g2', 'gone']))]).toEqual(['g1']);
    expect(reads).toEqual({ listings: 0, gets: 3 });
  });

  it('walks the listing for many groups, and reads each one when the walk was incomplete', async () => {
    const ids = many.map((g) => g.id);
    const listed = notionWith(many);
    expect([...(await readGroupsOfMember(listed.ctx, 'u', ids))].sort()).toEqual(['g0', 'g2', 'g4']);
    expect(listed.reads).toEqual({ listings: 1, gets: 0 });
    const unstable = notionWith(many, false);
    expect([...(await readGroupsOfMember(unstable.ctx, 'u', ids))].sort()).toEqual(['g0', 'g2', 'g4']);
    expect(unstable.reads).toEqual({ listings: 1, gets: ids.length });
  });

  it.each([
    ['members that are not a list', { id: 'g1', displayName: 'One', members: 'u' }],
    ['a member without an id', { id: 'g1', displayName: 'One', members: [{ display: 'Ada' }] }],
    ['a member that is not an object', { id: 'g1', displayName: 'One', members: ['u'] }],
  ])('refuses a group with %s', async (_name, group) => {
    const { ctx } = notionWith([group as unknown as ScimGroup]);
    await expect(readGroupsOfMember(ctx, 'u', ['g1'])).rejects.toMatchObject({ kind: 'unexpected-response' });
  });

  it('refuses a malformed group met on a complete listing walk', async () => {
    const malformed = [...many.slice(0, -1), { id: 'g9', displayName: 'G9', members: 'u' } as unknown as ScimGroup];
    const { ctx } = notionWith(malformed);
    await expect(readGroupsOfMember(ctx, 'u', malformed.map((g) => g.id))).rejects.toMatchObject({ kind: 'unexpected-response' });
  });

  it('refuses an answer naming another group', async () => {
    const { ctx } = notionWith([{ id: 'g1', displayName: 'One', members: [] }]);
    (ctx.scim as { getGroup: (id: string) => Promise<ScimGroup | null> }).getGroup = async () => ({ id: 'other', displayName: 'Other', members: [] });
    await expect(readGroupsOfMember(ctx, 'u', ['g1'])).rejects.toMatchObject({ kind: 'unexpected-response' });
  });
});
