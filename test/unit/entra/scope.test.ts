// computeScope: Entra's assignment rule, the transitive option and 'all', from plain mirror rows.
import { describe, expect, it } from 'vitest';
import { computeScope, type ScopeInput } from '../../../src/entra/index.js';

const user = (id: string, removedReason: string | null = null) => ({ id, removedReason });
const edge = (groupId: string, memberId: string, memberType = 'user') => ({ groupId, memberId, memberType });

// g1 (assigned) ⊃ u1, g2; g2 ⊃ u2, g3; g3 ⊃ u3; g4 (not assigned) ⊃ u4; u5 assigned directly; u6 soft-deleted in g1.
const input: ScopeInput = {
  users: [user('u1'), user('u2'), user('u3'), user('u4'), user('u5'), user('u6', 'changed')],
  groups: [user('g1'), user('g2'), user('g3'), user('g4')],
  memberships: [edge('g1', 'u1'), edge('g1', 'g2', 'group'), edge('g1', 'u6'), edge('g2', 'u2'), edge('g2', 'g3', 'group'), edge('g3', 'u3'), edge('g4', 'u4')],
  assignments: [{ principalId: 'g1', principalType: 'Group' }, { principalId: 'u5', principalType: 'User' }],
};

describe('computeScope', () => {
  it('takes users assigned directly or as direct members of an assigned group, as Entra does', () => {
    const scope = computeScope(input, { scope: 'assigned', transitiveGroups: false });
    expect([...scope.userIds].sort()).toEqual(['u1', 'u5']);
    expect([...scope.groupIds]).toEqual(['g1']);
    expect(scope.groupMembers.get('g1')).toEqual(new Set(['u1']));
  });

  it('adds members of nested groups and flattens them into the assigned group when transitive', () => {
    const scope = computeScope(input, { scope: 'assigned', transitiveGroups: true });
    expect([...scope.userIds].sort()).toEqual(['u1', 'u2', 'u3', 'u5']);
    expect(scope.groupMembers.get('g1')).toEqual(new Set(['u1', 'u2', 'u3']));
  });

  it('survives a nesting cycle', () => {
    const cyclic = { ...input, memberships: [...input.memberships, edge('g3', 'g1', 'group')] };
    expect([...computeScope(cyclic, { scope: 'assigned', transitiveGroups: true }).userIds].sort()).toEqual(['u1', 'u2', 'u3', 'u5']);
  });

  it('takes every live user and group with scope all', () => {
    const scope = computeScope(input, { scope: 'all', transitiveGroups: false });
    expect([...scope.userIds].sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect([...scope.groupIds].sort()).toEqual(['g1', 'g2', 'g3', 'g4']);
    expect(scope.groupMembers.get('g4')).toEqual(new Set(['u4']));
  });

  it('leaves out removed users and a removed assigned group', () => {
    const removed = { ...input, groups: [user('g1', 'deleted'), user('g2'), user('g3'), user('g4')] };
    const scope = computeScope(removed, { scope: 'assigned', transitiveGroups: false });
    expect([...scope.groupIds]).toEqual([]);
    expect(scope.userIds.has('u6')).toBe(false);
  });
});
