import { describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../../src/config/mapping-schema.js';
import { compileMapping, MappingConfigError, type MappingProblem } from '../../../src/mapping/index.js';

const userName = { target: 'userName', direct: 'userPrincipalName', apply: 'always' as const };

function problemsOf(config: unknown): MappingProblem[] {
  try {
    compileMapping(config as MappingConfig);
  } catch (error) {
    if (error instanceof MappingConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration compiled');
}

function userMapping(...extra: Array<Record<string, unknown>>): MappingConfig {
  return { user: [userName, ...extra.map((m) => ({ apply: 'always', ...m }))], group: [], scopingFilters: { user: [], group: [] } } as unknown as MappingConfig;
}

describe('compiling a mapping configuration', () => {
  it('accepts every SCIM target path Notion and the enterprise extension use', () => {
    const targets = [
      'title', 'active', 'displayName', 'externalId', 'name.formatted', 'name.givenName', 'name.familyName',
      'emails[type eq "work"].value', 'phoneNumbers[type eq "mobile"].value',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      'urn:ietf:params:scim:schemas:extension:notion:2.0:User:role',
    ];
    expect(() => compileMapping(userMapping(...targets.map((target) => ({ target, direct: 'x' }))))).not.toThrow();
  });

  it('rejects a target path outside the supported SCIM attributes', () => {
    const problems = problemsOf(userMapping({ target: 'emails[type eq "spam"].value', direct: 'mail' }, { target: 'members', direct: 'x' }));
    expect(problems.map((p) => p.path)).toEqual(['user[1].target', 'user[2].target']);
    expect(problems[0]?.message).toMatch(/^unknown SCIM user target "emails\[type eq "spam"\]\.value"; expected one of userName/);
  });

  it('names the mapping and the position of an expression error', () => {
    expect(problemsOf(userMapping({ target: 'title' , direct: 'jobTitle' }, { target: 'displayName', direct: 'displayName' }, { target: 'name.formatted', expression: 'Join(" ", [a]' }))).toEqual([
      { path: 'user[3].expression', message: 'at 14: expected "," or ")" but found end of input' },
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      user: [userName, { target: 'userName', direct: 'mail' }, { target: 'title', direct: 'jobTitle', matchingPrecedence: 1 }, { target: 'active', constant: 'maybe' }, { target: 'name.givenName', direct: 'givenName', defaultIfNull: 'x' }],
      group: [{ target: 'displayName', expression: 'IIF([IsSoftDeleted], "a", "b")' }, { target: 'externalId', direct: 'appRoleAssignments' }],
      scopingFilters: {
        user: [{ clauses: [{ attribute: 'department', operator: 'EQUALS' }, { attribute: 'upn', operator: 'REGEX MATCH', value: '(' }, { attribute: 'employeeId', operator: 'Greater_Than', value: '1.5' }, { attribute: 'IsSoftDeleted', operator: 'IS TRUE' }] }],
        group: [],
      },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'user[1].target',
      'user[3].constant',
      'scopingFilters.user[0].clauses[0].value',
      'scopingFilters.user[0].clauses[1].value',
      'scopingFilters.user[0].clauses[2].value',
      'scopingFilters.user[0].clauses[3].attribute',
      'group[0].expression',
      'group[1].direct',
    ]);
    expect(problems[0]?.message).toBe('duplicate target "userName" (also user[0])');
  });

  it('rejects two attributes with the same matching precedence', () => {
    expect(problemsOf(userMapping({ target: 'title', direct: 'jobTitle', matchingPrecedence: 2 }, { target: 'externalId', direct: 'id', matchingPrecedence: 2 }))).toEqual([
      { path: 'user[2].matchingPrecedence', message: 'precedence 2 is also used by user[1]' },
    ]);
  });

  it('reports shape errors from the schema with their path', () => {
    expect(problemsOf({ user: [{ target: 'userName', direct: 'upn', constant: 'x' }] })).toEqual([
      { path: 'user[0]', message: 'give exactly one of "direct", "constant" or "expression"' },
    ]);
  });

  it('lists the Graph attributes read by expressions and filters, and those the guest rule reads, without computed ones', () => {
    const mapping = compileMapping({
      ...userMapping({ target: 'title', expression: 'Coalesce([jobTitle], [department], [objectId], SingleAppRoleAssignment([appRoleAssignments]))' }),
      scopingFilters: { user: [{ clauses: [{ attribute: 'country', operator: 'EQUALS', value: 'FR' }] }], group: [] },
    });
    expect(mapping.sourceAttributes.user).toEqual(['accountEnabled', 'country', 'department', 'jobTitle', 'mail', 'userPrincipalName', 'userType']);
    expect(mapping.readsAppRoles).toBe(true);
    expect(compileMapping(userMapping({ target: 'title', direct: 'jobTitle' })).readsAppRoles).toBe(false);
  });

  it('changes the fingerprint when a scoping filter changes, not when keys are reordered', () => {
    const base = userMapping({ target: 'title', direct: 'jobTitle' });
    const reordered = { scopingFilters: base.scopingFilters, group: base.group, user: base.user.map((m) => ({ apply: m.apply, direct: m.direct, target: m.target })) };
    const filtered = { ...base, scopingFilters: { user: [{ clauses: [{ attribute: 'country', operator: 'EQUALS' as const, value: 'FR' }] }], group: [] } };
    expect(compileMapping(reordered as MappingConfig).fingerprint).toBe(compileMapping(base).fingerprint);
    expect(compileMapping(filtered).fingerprint).not.toBe(compileMapping(base).fingerprint);
  });
});
