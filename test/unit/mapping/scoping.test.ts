import { describe, expect, it } from 'vitest';
import type { MappingConfig, ScopingClause, ScopingFilter } from '../../../src/config/mapping-schema.js';
import { compileMapping, evaluateGroup, evaluateUser } from '../../../src/mapping/index.js';

const context = { now: new Date('2025-01-01T00:00:00Z'), random: () => 0.5 };

function inScope(filters: ScopingFilter[], attributes: Record<string, unknown>): boolean {
  const mapping = compileMapping({
    user: [{ target: 'userName', direct: 'userPrincipalName', apply: 'always' }],
    group: [],
    scopingFilters: { user: filters, group: [] },
  } as MappingConfig);
  return evaluateUser(mapping, { id: 'u', attributes, assigned: true, softDeleted: false, appRoleAssignments: [] }, context).inScope;
}

const clause = (attribute: string, operator: ScopingClause['operator'], value?: string): ScopingFilter => ({ clauses: [{ attribute, operator, ...(value === undefined ? {} : { value }) }] });

const rows: Array<[ScopingFilter, Record<string, unknown>, boolean]> = [
  [clause('department', '&', 'Sales,Marketing'), { department: 'Sales' }, true],
  [clause('department', '&', 'Sales,Marketing'), { department: 'Legal' }, false],
  [clause('department', '!&', 'Sales,Marketing'), { department: 'Legal' }, true],
  [clause('department', '!&', 'Sales,Marketing'), {}, false],
  [clause('userPrincipalName', 'ENDS_WITH', '@contoso.com'), { userPrincipalName: 'zoë@contoso.com' }, true],
  [clause('userPrincipalName', 'ENDS_WITH', '@contoso.com'), { userPrincipalName: 'zoë@fabrikam.com' }, false],
  [clause('department', 'EQUALS', 'Sales'), { department: 'Sales' }, true],
  [clause('department', 'EQUALS', 'Sales'), { department: 'sales' }, false],
  [clause('city', 'EQUALS', 'Zürich'), { city: 'Zürich' }, true],
  [clause('department', 'NOT EQUALS', 'Sales'), { department: 'sales' }, true],
  [clause('department', 'NOT EQUALS', 'Sales'), {}, false],
  [clause('employeeId', 'Greater_Than', '1000000'), { employeeId: '1500000' }, true],
  [clause('employeeId', 'Greater_Than', '1000000'), { employeeId: '1000000' }, false],
  [clause('employeeId', 'Greater_Than_OR_EQUALS', '1000000'), { employeeId: 1000000 }, true],
  [clause('employeeId', 'Greater_Than', '10'), { employeeId: 'E-12' }, false],
  [clause('jobTitle', 'Includes', 'Engineer'), { jobTitle: 'Senior Engineer' }, true],
  [clause('jobTitle', 'Includes', 'Engineer'), { jobTitle: 'senior engineer' }, false],
  [clause('accountEnabled', 'IS TRUE'), { accountEnabled: true }, true],
  [clause('accountEnabled', 'IS TRUE'), { accountEnabled: 'True' }, true],
  [clause('accountEnabled', 'IS FALSE'), { accountEnabled: false }, true],
  [clause('accountEnabled', 'IS FALSE'), {}, false],
  [clause('jobTitle', 'IS NOT NULL'), { jobTitle: 'Chef' }, true],
  [clause('jobTitle', 'IS NOT NULL'), { jobTitle: '' }, false],
  [clause('jobTitle', 'IS NULL'), {}, true],
  [clause('jobTitle', 'IS NULL'), { jobTitle: '' }, true],
  [clause('jobTitle', 'IS NULL'), { jobTitle: 'Chef' }, false],
  [clause('userPrincipalName', 'REGEX MATCH', '.*\\@domain.com'), { userPrincipalName: 'a@domain.com' }, true],
  [clause('workerID', 'REGEX MATCH', '(1[0-9][0-9][0-9][0-9][0-9][0-9])'), { workerID: '1234567' }, true],
  [clause('workerID', 'REGEX MATCH', '(1[0-9][0-9][0-9][0-9][0-9][0-9])'), { workerID: '234' }, false],
  [clause('userPrincipalName', 'NOT REGEX MATCH', '.*\\@domain.com'), { userPrincipalName: 'a@other.com' }, true],
  [clause('userPrincipalName', 'NOT REGEX MATCH', '.*\\@domain.com'), {}, false],
  [clause('otherMails', 'Includes', 'a'), { otherMails: ['a@x'] }, false],
  [clause('department', 'EQUALS', 'Sales'), { department: { name: 'Sales' } }, false],
];

describe('scoping filters', () => {
  it.each(rows)('%j with %j → %s', (filter, attributes, expected) => {
    expect(inScope([filter], attributes)).toBe(expected);
  });

  it('puts everything assigned in scope when no filter is configured', () => {
    expect(inScope([], {})).toBe(true);
  });

  it('ANDs the clauses of one filter', () => {
    const filter: ScopingFilter = { clauses: [{ attribute: 'country', operator: 'EQUALS', value: 'FR' }, { attribute: 'department', operator: 'EQUALS', value: 'Sales' }] };
    expect(inScope([filter], { country: 'FR', department: 'Sales' })).toBe(true);
    expect(inScope([filter], { country: 'FR', department: 'Legal' })).toBe(false);
  });

  it('ORs separate filters', () => {
    const filters = [clause('country', 'EQUALS', 'FR'), clause('department', 'EQUALS', 'Sales')];
    expect(inScope(filters, { country: 'DE', department: 'Sales' })).toBe(true);
    expect(inScope(filters, { country: 'DE', department: 'Legal' })).toBe(false);
  });

  it('keeps an unassigned user out of scope whatever the filters say', () => {
    const mapping = compileMapping({ user: [{ target: 'userName', direct: 'upn', apply: 'always' }], group: [], scopingFilters: { user: [], group: [] } });
    expect(evaluateUser(mapping, { id: 'u', attributes: {}, assigned: false, softDeleted: false, appRoleAssignments: [] }, context).inScope).toBe(false);
  });

  it('scopes groups with their own filters', () => {
    const mapping = compileMapping({
      user: [{ target: 'userName', direct: 'upn', apply: 'always' }],
      group: [{ target: 'displayName', direct: 'displayName', apply: 'always' }],
      scopingFilters: { user: [], group: [clause('displayName', 'ENDS_WITH', '-notion')] },
    });
    expect(evaluateGroup(mapping, { id: 'g', attributes: { displayName: 'design-notion' }, assigned: true }, context).inScope).toBe(true);
    expect(evaluateGroup(mapping, { id: 'g', attributes: { displayName: 'design' }, assigned: true }, context).inScope).toBe(false);
  });
});
