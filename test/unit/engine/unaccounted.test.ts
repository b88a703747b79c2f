// Which Notion members a first cycle accounts for (pure, plain data); the rest of the question is the store's
// (test/integration/store/notion-listing.test.ts).
import { describe, expect, it } from 'vitest';
import { indexUsers } from '../../../src/engine/matching.js';
import type { DesiredUser } from '../../../src/engine/model.js';
import { accountedNotionIds, isWorkspaceOwner } from '../../../src/engine/unaccounted.js';
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
  notionUser('n7', 'unassigned@example.com'),
  notionUser('n8', 'linked@example.com'),
  notionUser('n9', 'someone@example.com', { emails: [{ value: 'Shared@Example.com' }] }),
];

describe('accountedNotionIds', () => {
  it('accounts for every candidate of an active user, by userName or email, linked or not; an out-of-scope user accounts for none', () => {
    const accounted = accountedNotionIds(indexUsers(notion, true, new Set(['n8'])), [
      desired('e1', 'KEPT@example.com'),
      // Matched by its email: accounted for under its old userName.
      desired('e2', 'new.address@example.com', 'active', 'old.address@example.com'),
      // Out of scope in Entra: does not account for its Notion member.
      desired('e7', 'unassigned@example.com', 'out-of-scope'),
      desired('e8', 'linked@example.com'),
      // Its userName is another member's email.
      desired('e9', 'shared@example.com'),
    ], ['userName', 'emails[type eq "work"].value']);
    expect([...accounted].sort()).toEqual(['n1', 'n2', 'n8', 'n9']);
  });
});

describe('isWorkspaceOwner', () => {
  it("reads Notion's role extension, without regard to case", () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User';
    expect(isWorkspaceOwner(notionUser('n5', 'founder@example.com', { [urn]: { role: 'Owner' } }))).toBe(true);
    expect(isWorkspaceOwner(notionUser('n6', 'admin@example.com', { [urn]: { role: 'membership_admin' } }))).toBe(false);
    expect(isWorkspaceOwner(notionUser('n4', 'plain@example.com'))).toBe(false);
  });
});
