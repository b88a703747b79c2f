import { describe, expect, it } from 'vitest';
import type { AttributeMapping, MappingConfig, ScopingFilter } from '../../../src/config/mapping-schema.js';
import { compileMapping, evaluateUser, explainUser, type MappingSourceUser } from '../../../src/mapping/index.js';

const context = { now: new Date('2025-01-01T00:00:00Z'), random: () => 0.5 };
const roleTarget = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User:role';

function mappingOf(user: Array<Partial<AttributeMapping> & { target: string }>, filters: ScopingFilter[] = []) {
  return compileMapping({ user: user.map((m) => ({ apply: 'always', ...m })), group: [], scopingFilters: { user: filters, group: [] } } as MappingConfig);
}

function userWith(attributes: Record<string, unknown>, overrides: Partial<MappingSourceUser> = {}): MappingSourceUser {
  return { id: 'obj-1', attributes, assigned: true, softDeleted: false, appRoleAssignments: [], ...overrides };
}

describe('evaluating a user', () => {
  it('turns Entra’s "True"/"False" text into a boolean for active', () => {
    const mapping = mappingOf([{ target: 'active', expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")' }]);
    expect(evaluateUser(mapping, userWith({}), context).attributes).toEqual({ active: true });
    expect(evaluateUser(mapping, userWith({}, { softDeleted: true }), context).attributes).toEqual({ active: false });
  });

  it('reports a value active cannot take and leaves the target alone', () => {
    const mapping = mappingOf([{ target: 'active', direct: 'extensionAttribute1' }, { target: 'title', direct: 'jobTitle' }]);
    const result = evaluateUser(mapping, userWith({ extensionAttribute1: 'sometimes', jobTitle: 'Chef' }), context);
    expect(result.attributes).toEqual({ title: 'Chef' });
    expect(result.errors).toEqual([{ target: 'active', code: 'invalidBoolean', message: 'active: "sometimes" is not True, False or a number' }]);
  });

  it('drops an attribute from the flow when IgnoreFlowIfNullOrEmpty sees nothing', () => {
    const mapping = mappingOf([{ target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', expression: 'IgnoreFlowIfNullOrEmpty([department])' }]);
    expect(evaluateUser(mapping, userWith({ department: '' }), context).attributes).toEqual({});
    expect(evaluateUser(mapping, userWith({ department: 'Ventes' }), context).attributes).toEqual({
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Ventes',
    });
  });

  it('uses the default value if null, on create only', () => {
    const mapping = mappingOf([{ target: 'title', direct: 'jobTitle', defaultIfNull: 'Staff' }]);
    expect(evaluateUser(mapping, userWith({}), context)).toMatchObject({ attributes: { title: 'Staff' }, createOnly: ['title'] });
    expect(evaluateUser(mapping, userWith({ jobTitle: 'Chef' }), context)).toMatchObject({ attributes: { title: 'Chef' }, createOnly: [] });
  });

  it('lists mappings applied only during creation', () => {
    const mapping = mappingOf([{ target: 'externalId', direct: 'employeeId', apply: 'create' }]);
    expect(evaluateUser(mapping, userWith({ employeeId: 'E1' }), context)).toMatchObject({ attributes: { externalId: 'E1' }, createOnly: ['externalId'] });
  });

  it('sends a single value from a one-element list and refuses several', () => {
    const mapping = mappingOf([{ target: 'emails[type eq "work"].value', direct: 'otherMails' }]);
    expect(evaluateUser(mapping, userWith({ otherMails: ['zoë@contoso.com'] }), context).attributes).toEqual({ 'emails[type eq "work"].value': 'zoë@contoso.com' });
    expect(evaluateUser(mapping, userWith({ otherMails: [] }), context).attributes).toEqual({ 'emails[type eq "work"].value': null });
    expect(evaluateUser(mapping, userWith({ otherMails: ['a@x', 'b@x'] }), context).errors.map((e) => e.code)).toEqual(['multiValuedResult']);
  });

  it('maps the single app role to Notion’s role extension, ignoring default access', () => {
    const mapping = mappingOf([{ target: roleTarget, expression: 'SingleAppRoleAssignment([appRoleAssignments])' }]);
    const roles = [
      { appRoleId: '00000000-0000-0000-0000-000000000000', displayName: 'Default Access' },
      { appRoleId: 'r-1', value: 'workspace_owner', displayName: 'Owner' },
    ];
    expect(evaluateUser(mapping, userWith({}, { appRoleAssignments: roles }), context).attributes).toEqual({ [roleTarget]: 'workspace_owner' });
    const two = [...roles, { appRoleId: 'r-2', value: null, displayName: 'Guest' }];
    expect(evaluateUser(mapping, userWith({}, { appRoleAssignments: two }), context).errors.map((e) => e.code)).toEqual(['multipleAppRoles']);
  });

  it('reads [objectId] as the Entra object id', () => {
    const mapping = mappingOf([{ target: 'externalId', direct: 'objectId' }]);
    expect(evaluateUser(mapping, userWith({}), context).attributes).toEqual({ externalId: 'obj-1' });
  });

  it('keeps mapping the other attributes when one holds a wrong type', () => {
    const mapping = mappingOf([{ target: 'title', direct: 'jobTitle' }, { target: 'displayName', direct: 'displayName' }]);
    const result = evaluateUser(mapping, userWith({ jobTitle: { nested: true }, displayName: 'Zoë' }), context);
    expect(result.attributes).toEqual({ displayName: 'Zoë' });
    expect(result.errors).toEqual([{ target: 'title', code: 'unsupportedValue', message: 'attribute "jobTitle" holds an object, not a string, number, boolean or list' }]);
  });

  it('treats accountEnabled "False" text as a disabled account', () => {
    const mapping = mappingOf([{ target: 'active', expression: 'Not([IsSoftDeleted])' }]);
    expect(evaluateUser(mapping, userWith({ accountEnabled: 'False' }), context)).toMatchObject({ isSoftDeleted: true, attributes: { active: false } });
  });
});

describe('explaining a user', () => {
  it('hides the values of a mapping that uses Redact', () => {
    const mapping = mappingOf([{ target: 'externalId', expression: 'Redact([employeeId])' }]);
    const [attribute] = explainUser(mapping, userWith({ employeeId: 'secret-42' }), context).attributes;
    expect(attribute).toMatchObject({ sourceValues: { employeeId: '[Redact]' }, result: '[Redact]', outcome: 'value' });
    expect(evaluateUser(mapping, userWith({ employeeId: 'secret-42' }), context).attributes).toEqual({ externalId: 'secret-42' });
  });

  it('shows each scoping clause with the value it saw and its verdict', () => {
    const mapping = mappingOf([{ target: 'title', direct: 'jobTitle' }], [
      { name: 'France sales', clauses: [{ attribute: 'country', operator: 'EQUALS', value: 'France' }, { attribute: 'department', operator: 'Includes', value: 'Ventes' }] },
    ]);
    const explanation = explainUser(mapping, userWith({ country: 'France' }), context);
    expect(explanation).toMatchObject({ inScope: false, isSoftDeleted: true });
    expect(explanation.scopingFilters).toEqual([
      {
        name: 'France sales',
        passed: false,
        clauses: [
          { attribute: 'country', operator: 'EQUALS', value: 'France', actual: 'France', passed: true },
          { attribute: 'department', operator: 'Includes', value: 'Ventes', actual: null, passed: false, reason: 'the value is null or empty' },
        ],
      },
    ]);
  });

  it('shows errors and dropped attributes', () => {
    const mapping = mappingOf([{ target: 'title', expression: 'IgnoreFlowIfNullOrEmpty([jobTitle])' }, { target: 'externalId', expression: 'Mid([x], 0, 1)' }]);
    const [title, externalId] = explainUser(mapping, userWith({ x: 'abc' }), context).attributes;
    expect(title).toMatchObject({ outcome: 'ignored', sourceValues: { jobTitle: null } });
    expect(externalId).toMatchObject({ outcome: 'error', error: { code: 'invalidArgument' } });
  });
});
