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
  it('maps an assigned, enabled user to the SCIM attributes Notion needs', () => {
    const result = evaluateUser(mapping, user(ada), context);
    expect(result).toEqual({
      inScope: true,
      isSoftDeleted: false,
      attributes: {
        userName: 'ada@contoso.com',
        'name.formatted': 'Ada Lovelace',
        'name.givenName': 'Ada',
        'name.familyName': 'Lovelace',
        'emails[type eq "work"].value': 'ada@contoso.com',
        title: 'Engineer',
        active: true,
      },
      createOnly: [],
      errors: [],
    });
  });

  it('marks a missing job title as empty so an update removes it', () => {
    const { jobTitle: _jobTitle, ...withoutTitle } = ada;
    expect(evaluateUser(mapping, user(withoutTitle), context).attributes.title).toBeNull();
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

  it('matches users by userName first, then by work email', () => {
    expect(mapping.matching).toEqual({ user: ['userName', 'emails[type eq "work"].value'], group: ['displayName'] });
  });

  it('asks Graph for exactly the attributes it reads', () => {
    expect(mapping.sourceAttributes).toEqual({
      user: ['accountEnabled', 'displayName', 'givenName', 'jobTitle', 'mail', 'surname', 'userPrincipalName'],
      group: ['displayName'],
    });
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
});
