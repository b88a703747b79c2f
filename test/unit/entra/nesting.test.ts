// Group nesting read upward: the groups whose assignment also names the users of a group when scope is nested.
import { describe, expect, it } from 'vitest';
import { groupsHolding } from '../../../src/entra/nesting.js';

const edge = (groupId: string, memberId: string, memberType: 'user' | 'group' = 'group') => ({ groupId, memberId, memberType });

describe('groupsHolding', () => {
  it('walks up every level, from several groups at once, and not down or sideways', () => {
    const edges = [edge('parent', 'child'), edge('grandparent', 'parent'), edge('other', 'second'), edge('child', 'grandchild'), edge('sibling', 'u1', 'user'), edge('child', 'u1', 'user')];
    expect(groupsHolding(['child', 'second'], edges).sort()).toEqual(['grandparent', 'other', 'parent']);
    expect(groupsHolding(['grandparent'], edges)).toEqual([]);
    // A user's edge is no nesting.
    expect(groupsHolding(['u1'], edges)).toEqual([]);
  });

  it('walks a cycle once, and leaves out the groups asked about', () => {
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('d', 'a')];
    expect(groupsHolding(['a'], edges).sort()).toEqual(['b', 'c', 'd']);
    expect(groupsHolding(['a', 'c'], edges).sort()).toEqual(['b', 'd']);
  });
});
