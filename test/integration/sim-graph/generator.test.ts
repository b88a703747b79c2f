// The seeded tenant generator: deterministic, and shaped like a real directory.
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../../src/sim/graph/index.js';

describe('generateTenant', () => {
  it('makes the same tenant, ids included, from the same seed, and another from another seed', () => {
    const options = { users: 200, groups: 15 };
    const a = generateTenant({ seed: 42, ...options });
    const b = generateTenant({ seed: 42, ...options });
    const c = generateTenant({ seed: 43, ...options });
    expect(b.users()).toEqual(a.users());
    expect(b.groups()).toEqual(a.groups());
    expect(b.assignments()).toEqual(a.assignments());
    expect(b.groups().map((group) => b.membersOf(group.id))).toEqual(a.groups().map((group) => a.membersOf(group.id)));
    expect(c.users()[0]?.id).not.toBe(a.users()[0]?.id);
    expect(a.tenantId).toBe(b.tenantId);
  });

  it('holds the awkward users a sync must survive', () => {
    const users = generateTenant({ seed: 1, users: 2000, groups: 10 }).users();
    expect(users).toHaveLength(2000);
    const guests = users.filter((user) => user.userType === 'Guest');
    expect(guests.length).toBeGreaterThan(0);
    expect(guests.every((guest) => guest.userPrincipalName.includes('#EXT#@'))).toBe(true);
    // As Graph shows a B2B guest: alias_theirdomain#EXT#@tenant, the own address as mail, the invitation's state.
    const withMail = guests.filter((guest) => guest.mail !== null);
    expect(withMail.every((guest) => guest.userPrincipalName.startsWith(`${(guest.mail as string).replace('@', '_')}#EXT#@`))).toBe(true);
    expect(new Set(guests.map((guest) => guest.externalUserState))).toEqual(new Set(['Accepted', 'PendingAcceptance']));
    expect(users.filter((user) => user.userType === 'Member').every((user) => user.externalUserState === null)).toBe(true);
    expect(users.some((user) => !user.accountEnabled)).toBe(true);
    expect(users.some((user) => user.mail === null)).toBe(true);
    expect(users.some((user) => /[^\x20-\x7e]/.test(user.displayName))).toBe(true);
    expect(users.some((user) => user.userPrincipalName.includes('"'))).toBe(true);
    expect(users.some((user) => user.userPrincipalName.includes('\\'))).toBe(true);
    expect(new Set(users.map((user) => user.userPrincipalName.toLowerCase())).size).toBe(users.length);
    expect(users[0]).toEqual(expect.objectContaining({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      displayName: expect.any(String), accountEnabled: expect.any(Boolean), otherMails: expect.any(Array),
    }));
    for (const name of ['givenName', 'surname', 'mail', 'jobTitle', 'department', 'employeeId', 'mobilePhone']) {
      expect(users[0]).toHaveProperty(name);
    }
  });

  it('spreads group sizes from one member to thousands, nests groups, and assigns users and groups', () => {
    const tenant = generateTenant({ seed: 9, users: 20_000, groups: 300 });
    const groups = tenant.groups();
    const sizes = groups.map((group) => tenant.membersOf(group.id).length);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(1000);
    const groupIds = new Set(groups.map((group) => group.id));
    expect(groups.some((group) => tenant.membersOf(group.id).some((id) => groupIds.has(id)))).toBe(true);
    const types = new Set(tenant.assignments().map((assignment) => assignment.principalType));
    expect(types).toEqual(new Set(['User', 'Group']));
  });

  it('honours the shares it is given', () => {
    const users = generateTenant({ seed: 2, users: 500, groups: 5, guestShare: 0, disabledShare: 1, noMailShare: 0 }).users();
    expect(users.every((user) => user.userType === 'Member' && !user.accountEnabled && user.mail !== null)).toBe(true);
  });
});
