// Which Notion members a first cycle cannot account for (pure, plain data).
import { describe, expect, it } from 'vitest';
import { indexUsers } from '../../../src/engine/matching.js';
import type { DesiredUser } from '../../../src/engine/model.js';
import { findUnaccountedMembers } from '../../../src/engine/unaccounted.js';
import type { ScimUser } from '../../../src/scim/index.js';

const notionUser = (id: string, userName: string, extra: Partial<ScimUser> = {}): ScimUser => ({ id, userName, active: true, ...extra });
const desired = (sourceId: string, userName: string, lifecycle: DesiredUser['lifecycle'] = 'active', email?: string): DesiredUser => ({
  sourceId, lifecycle, name: userName, createOnly: [], mappingErrors: [],
  attributes: { userName, active: lifecycle === 'active', ...(email ? { 'emails[type eq "work"].value': email } : {}) },
});

const notion = [
  notionUser('n1', 'kept@example.com'),
  notionUser('n2', 'Old.Address@example.com'),
  notionUser('n3', 'leaver@example.com'),
  notionUser('n4', 'Admin@Example.com'),
  notionUser('n5', 'founder@example.com', { 'urn:ietf:params:scim:schemas:extension:notion:2.0:User': { role: 'owner' } }),
  notionUser('n6', 'gone@example.com', { active: false }),
  notionUser('n7', 'unassigned@example.com'),
  notionUser('n8', 'linked@example.com'),
];

describe('findUnaccountedMembers', () => {
  it('reports the active members no in-scope active user matches, leaving out protected users, owners and linked members', () => {
    const found = findUnaccountedMembers({
      notionUsers: notion,
      index: indexUsers(notion, true, new Set(['n8'])),
      users: [
        desired('e1', 'KEPT@example.com'),
        // Matched by its email: accounted for under its old userName.
        desired('e2', 'new.address@example.com', 'active', 'old.address@example.com'),
        // Out of scope in Entra: does not account for its Notion member.
        desired('e7', 'unassigned@example.com', 'out-of-scope'),
      ],
      matchingPaths: ['userName', 'emails[type eq "work"].value'],
      protectedUserNames: new Set(['admin@example.com']),
    });
    expect(found).toEqual([
      { notionId: 'n3', userName: 'leaver@example.com' },
      { notionId: 'n7', userName: 'unassigned@example.com' },
    ]);
  });
});
