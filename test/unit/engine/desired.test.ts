// Desired users (pure): a B2B guest is mapped by GUEST_USERS, and one that must not be written carries a hold.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mappingConfigSchema } from '../../../src/config/mapping-schema.js';
import { desiredUser } from '../../../src/engine/desired.js';
import { compileMapping, type GuestRule } from '../../../src/mapping/index.js';
import type { SourceUserRow } from '../../../src/store/index.js';

const gallery = mappingConfigSchema.parse(JSON.parse(readFileSync(new URL('../../../config/notion-mapping.json', import.meta.url), 'utf8')));
const guestUpn = 'kim_partner.example#EXT#@contoso.onmicrosoft.com';

function row(attributes: Record<string, unknown>): SourceUserRow {
  return { target: 't', id: 'u1', attributes: { accountEnabled: true, displayName: 'Kim', ...attributes }, removedReason: null, changedAt: new Date(0), dirty: true, seenGeneration: 0, evaluatedInScope: null };
}

function desired(attributes: Record<string, unknown>, guestUsers: GuestRule = 'map-upn', mapping = gallery) {
  return desiredUser(row(attributes), {
    mapping: compileMapping({ ...mapping, guestUsers }),
    scope: { userIds: new Set(['u1']), groupIds: new Set(), groupMembers: new Map() },
    assignmentsByPrincipal: new Map(),
    groupsOfUser: new Map(),
    context: { now: new Date(0), random: () => 0.5 },
  });
}

describe('desiredUser for B2B guests', () => {
  it('gives a guest the userName Entra would send, with no hold', () => {
    const user = desired({ userPrincipalName: guestUpn, userType: 'Guest', mail: 'kim@partner.example' });
    expect(user).toMatchObject({ name: 'kim@partner.example', attributes: { userName: 'kim@partner.example' } });
    expect(user.hold).toBeUndefined();
  });

  it('holds a skipped guest with the reason, and a guest without mail under map-mail as a conflict', () => {
    expect(desired({ userPrincipalName: guestUpn, userType: 'Guest' }, 'skip').hold).toEqual({ kind: 'skip', reason: `B2B guest (${guestUpn}): GUEST_USERS=skip leaves guests out of Notion` });
    const noMail = desired({ userPrincipalName: guestUpn, userType: 'Guest', mail: null }, 'map-mail');
    expect(noMail.hold).toEqual({ kind: 'conflict', reason: 'cannot provision: the guest has no mail (GUEST_USERS=map-mail)' });
    expect(noMail.name).toBe(guestUpn);
  });

  it('never lets a userName that still carries #EXT# through, whatever mapped it', () => {
    const odd = desired({ userPrincipalName: 'odd#EXT#@contoso.onmicrosoft.com', userType: 'Guest' });
    expect(odd.hold).toMatchObject({ kind: 'conflict', reason: expect.stringContaining('still carries #EXT#') as string });
    const original = { ...gallery, user: gallery.user.map((m) => (m.target === 'userName' ? { ...m, direct: 'originalUserPrincipalName' } : m)) };
    expect(desired({ userPrincipalName: guestUpn, userType: 'Guest' }, 'map-upn', original).hold?.kind).toBe('conflict');
  });

  it('leaves members alone', () => {
    const member = desired({ userPrincipalName: 'Ann.Lee@contoso.example', userType: 'Member' });
    expect(member).toMatchObject({ attributes: { userName: 'Ann.Lee@contoso.example' } });
    expect(member.hold).toBeUndefined();
  });
});
