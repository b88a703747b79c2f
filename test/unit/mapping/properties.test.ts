import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../../src/config/mapping-schema.js';
import { compileMapping, evaluateGroup, evaluateUser, explainUser, type MappingSourceUser } from '../../../src/mapping/index.js';
import { compileExpression } from '../../../src/mapping/compile-expression.js';
import { ExpressionSyntaxError } from '../../../src/mapping/parser.js';

// A mapping that exercises many functions over the attributes the generator produces.
const mapping = compileMapping({
  user: [
    { target: 'userName', direct: 'userPrincipalName' },
    { target: 'name.formatted', expression: 'Join(" ", PCase([givenName]), ToUpper([surname]))' },
    { target: 'name.givenName', expression: 'NormalizeDiacritics(Left([givenName], 3))' },
    { target: 'emails[type eq "work"].value', expression: 'Coalesce([mail], Item([otherMails], 1), Append([mailNickname], "@contoso.com"))' },
    { target: 'title', expression: 'IIF([jobTitle] = "", Switch([department], "Staff", "R&D", "Engineer"), [jobTitle])' },
    { target: 'active', expression: 'Not([IsSoftDeleted])' },
    { target: 'externalId', expression: 'Replace([employeeId], , "[^0-9]", , "", , )' },
    { target: 'nickName', expression: 'IgnoreFlowIfNullOrEmpty(Word([displayName], 1, " "))' },
    { target: 'locale', expression: 'FormatDateTime([createdDateTime], , "yyyy-MM-ddTHH:mm:ssZ", "yyyy")' },
    { target: 'timezone', expression: 'CStr(DateDiff("d", CDate([createdDateTime]), Now()))' },
    { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', expression: 'Join(",", RemoveDuplicates(Split([department], "&")))' },
    { target: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', expression: 'CStr(BitAnd([employeeId], 255))' },
    { target: 'urn:ietf:params:scim:schemas:extension:notion:2.0:User:role', expression: 'SingleAppRoleAssignment([appRoleAssignments])' },
    { target: 'preferredLanguage', expression: 'ConvertToBase64(Mid([usageLocation], 1, 2))', defaultIfNull: 'en' },
  ],
  group: [{ target: 'displayName', direct: 'displayName' }],
  scopingFilters: {
    user: [{ clauses: [{ attribute: 'department', operator: 'REGEX MATCH', value: '^[A-Z]' }, { attribute: 'employeeId', operator: 'Greater_Than', value: '10' }] }, { clauses: [{ attribute: 'userType', operator: 'EQUALS', value: 'Member' }] }],
    group: [{ clauses: [{ attribute: 'displayName', operator: 'IS NOT NULL' }] }],
  },
} as unknown as MappingConfig);

const names = ['userPrincipalName', 'givenName', 'surname', 'mail', 'otherMails', 'mailNickname', 'jobTitle', 'department', 'employeeId', 'displayName', 'createdDateTime', 'usageLocation', 'userType', 'accountEnabled', '__proto__', 'constructor'];

const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', 'True', 'false', '2021-08-24', '12/31/2020 11:59:59 PM', 'R&D&R&D', '42', 'Zoë Ünal'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()), { maxLength: 4 }),
  fc.object({ maxDepth: 1 }),
  fc.date({ noInvalidDate: false }),
);

const attributes = fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), anyValue, { maxKeys: 20 });
const assignments = fc.oneof(
  fc.array(fc.record({ appRoleId: fc.oneof(fc.uuid(), fc.constant('00000000-0000-0000-0000-000000000000')), value: fc.option(fc.string()), displayName: fc.option(fc.string()) }), { maxLength: 3 }),
  fc.anything(),
);
const user = fc.record({ id: fc.oneof(fc.uuid(), fc.anything()), attributes: fc.oneof(attributes, fc.anything()), assigned: fc.anything(), softDeleted: fc.anything(), appRoleAssignments: assignments });
const context = { now: new Date('2025-01-01T00:00:00Z'), random: Math.random };

function isMappedValue(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

describe('evaluation on any mirrored shape', () => {
  it('never throws and returns for each attribute a value, a typed error or a deliberate drop', () => {
    fc.assert(
      fc.property(user, (candidate) => {
        const result = evaluateUser(mapping, candidate as MappingSourceUser, context);
        expect(typeof result.inScope).toBe('boolean');
        expect(typeof result.isSoftDeleted).toBe('boolean');
        expect(typeof result.attributes.active).toBe('boolean');
        for (const value of Object.values(result.attributes)) expect(isMappedValue(value)).toBe(true);
        for (const error of result.errors) {
          expect(error.target in result.attributes).toBe(false);
          expect(['typeMismatch', 'invalidArgument', 'invalidDate', 'invalidRegex', 'multipleAppRoles', 'unsupportedValue', 'multiValuedResult', 'invalidBoolean']).toContain(error.code);
        }
        const accounted = new Set([...Object.keys(result.attributes), ...result.errors.map((e) => e.target), 'nickName']);
        expect(accounted.size).toBe(14);
        explainUser(mapping, candidate as MappingSourceUser, context);
        evaluateGroup(mapping, { id: 'g', attributes: (candidate as MappingSourceUser).attributes, assigned: true }, context);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result for the same user', () => {
    fc.assert(
      fc.property(user, (candidate) => {
        const fixed = { ...context, random: () => 0.25 };
        expect(evaluateUser(mapping, candidate as MappingSourceUser, fixed)).toEqual(evaluateUser(mapping, candidate as MappingSourceUser, fixed));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the parser on any text', () => {
  it('either compiles or throws a positioned syntax error', () => {
    const pieces = fc.constantFrom('Join(', 'IIF(', 'Switch(', '[mail]', '"x"', '"\\"', ',', ')', '(', '=', '<>', ' ', '&H1', '-', '3', 'Left(', 'vbTextCompare', ']', '[');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(''))), (text) => {
        try {
          compileExpression(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionSyntaxError);
          expect((error as ExpressionSyntaxError).message).toMatch(/^at \d+: expected /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
