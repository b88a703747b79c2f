import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mappingConfigSchema } from '../../../src/config/mapping-schema.js';
import { compileMapping, evaluateGroup, evaluateUser, explainUser, type MappingSourceUser } from '../../../src/mapping/index.js';

const config = mappingConfigSchema.parse(JSON.parse(readFileSync(new URL('../../../config/notion-mapping.json', import.meta.url), 'utf8')));
const mapping = compileMapping(config);
const context = { now: new Date('2025-01-01T00:00:00Z'), random: () => 0.5 };

function user(attributes: Record<string, unknown>, overrides: Partial<MappingSourceUser> = {}): MappingSourceUser {
  return { id: 'u-1', attributes, assigned: true, softDeleted: false, appRoleAssignments: [], ...overrides };
}

const ada = { userPrincipalName: 'ada@contoso.com', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace', mail: 'ada@contoso.com', jobTitle: 'Engineer', accountEnabled: true };

describe('the default Notion mapping', () => {
  it("maps exactly what Entra's Notion gallery app maps: userName, name.formatted and active", () => {
    const result = evaluateUser(mapping, user(ada), context);
    expect(result).toEqual({
      inScope: true,
      isSoftDeleted: false,
      attributes: { userName: 'ada@contoso.com', 'name.formatted': 'Ada Lovelace', active: true },
      createOnly: [],
      errors: [],
    });
  });

  it('makes a disabled account inactive', () => {
    const result = evaluateUser(mapping, user({ ...ada, accountEnabled: false }), context);
    expect(result.isSoftDeleted).toBe(true);
    expect(result.inScope).toBe(true);
    expect(result.attributes.active).toBe(false);
  });

  it('makes an unassigned user inactive and out of scope', () => {
    const result = evaluateUser(mapping, user(ada, { assigned: false }), context);
    expect(result).toMatchObject({ inScope: false, isSoftDeleted: true, attributes: { active: false } });
  });

  it('makes a soft-deleted user inactive', () => {
    expect(evaluateUser(mapping, user(ada, { softDeleted: true }), context).attributes.active).toBe(false);
  });

  it('matches users by userName (Notion holds it and the email in one field) and groups by displayName', () => {
    expect(mapping.matching).toEqual({ user: ['userName'], group: ['displayName'] });
  });

  it('asks Graph for the attributes it reads and those the guest rule needs', () => {
    expect(mapping.sourceAttributes).toEqual({
      user: ['accountEnabled', 'displayName', 'mail', 'userPrincipalName', 'userType'],
      group: ['displayName'],
    });
    // No app role is mapped: with SYNC_SCOPE=all a cycle need not read the app's assignments.
    expect(mapping.readsAppRoles).toBe(false);
  });

  it('maps a group display name', () => {
    expect(evaluateGroup(mapping, { id: 'g-1', attributes: { displayName: 'Design' }, assigned: true }, context)).toEqual({
      inScope: true,
      attributes: { displayName: 'Design' },
      createOnly: [],
      errors: [],
    });
  });

  it('explains where each attribute came from', () => {
    const explanation = explainUser(mapping, user({ ...ada, accountEnabled: false }), context);
    expect(explanation.attributes.find((a) => a.target === 'active')).toEqual({
      target: 'active',
      source: 'expression',
      expression: 'Not([IsSoftDeleted])',
      createOnly: false,
      sourceValues: { IsSoftDeleted: true },
      outcome: 'value',
      result: false,
    });
    expect(explanation.attributes.find((a) => a.target === 'userName')?.sourceValues).toEqual({ userPrincipalName: 'ada@contoso.com' });
  });

  it('has a stable fingerprint that changes with the configuration', () => {
    expect(compileMapping(config).fingerprint).toBe(mapping.fingerprint);
    expect(mapping.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const changed = compileMapping({ ...config, user: [...config.user.slice(0, -1), { target: 'active', constant: 'True', apply: 'always' }] });
    expect(changed.fingerprint).not.toBe(mapping.fingerprint);
  });

  it('changes its fingerprint with GUEST_USERS, which changes what a guest maps to', () => {
    expect(compileMapping({ ...config, guestUsers: 'map-upn' }).fingerprint).toBe(mapping.fingerprint);
    expect(compileMapping({ ...config, guestUsers: 'skip' }).fingerprint).not.toBe(mapping.fingerprint);
  });
});

const rich = mappingConfigSchema.parse(JSON.parse(readFileSync(new URL('../../../config/notion-mapping.rich.example.json', import.meta.url), 'utf8')));

describe('the richer example mapping (opt-in)', () => {
  it('adds given and family name, the work email and the job title to the defaults', () => {
    const result = evaluateUser(compileMapping(rich), user(ada), context);
    expect(result.attributes).toEqual({
      userName: 'ada@contoso.com',
      'name.formatted': 'Ada Lovelace',
      'name.givenName': 'Ada',
      'name.familyName': 'Lovelace',
      'emails[type eq "work"].value': 'ada@contoso.com',
      title: 'Engineer',
      active: true,
    });
  });
});
