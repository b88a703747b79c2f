import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const proxyAddresses = ['SMTP:zoë@contoso.com', 'smtp:z@contoso.com'];

const tables: Record<string, Row[]> = {
  Count: [
    ['Count([proxyAddresses])', { proxyAddresses }, 2],
    ['Count([missing])', {}, 0],
    ['Count([mail])', { mail: 'zoë@contoso.com' }, 1],
    ['Count(Split("a,b,c", ","))', {}, 3],
  ],
  Item: [
    ['Item([proxyAddresses], 1)', { proxyAddresses }, 'SMTP:zoë@contoso.com'],
    ['Item([proxyAddresses], 2)', { proxyAddresses }, 'smtp:z@contoso.com'],
    ['Item([proxyAddresses], 0)', { proxyAddresses }, null],
    ['Item([proxyAddresses], 3)', { proxyAddresses }, null],
    ['Item([missing], 1)', {}, null],
    ['Item([mail], 1)', { mail: 'ü@x' }, 'ü@x'],
  ],
  Join: [
    ['Join(", ", "", [surname], [givenName])', { givenName: 'John', surname: 'Doe' }, 'Doe, John'],
    ['Join(";", [otherMails])', { otherMails: ['a@x', 'b@x'] }, 'a@x;b@x'],
    ['Join(" ", [givenName], [missing], [surname])', { givenName: 'Zoë', surname: 'Ünal' }, 'Zoë Ünal'],
    ['Join(" ", [missing])', {}, ''],
    ['Join("", 1000, "x")', {}, '1000x'],
  ],
  RemoveDuplicates: [
    ['RemoveDuplicates([proxyAddresses])', { proxyAddresses: ['a', 'b', 'a'] }, ['a', 'b']],
    ['RemoveDuplicates([names])', { names: ['é', 'é', 'e'] }, ['é', 'e']],
    ['RemoveDuplicates([missing])', {}, null],
    ['RemoveDuplicates([mail])', { mail: 'x' }, 'x'],
  ],
  SingleAppRoleAssignment: [
    ['SingleAppRoleAssignment([roles])', { roles: ['workspace_owner'] }, 'workspace_owner'],
    ['SingleAppRoleAssignment([roles])', { roles: ['Prüfer', 'Prüfer'] }, 'Prüfer'],
    ['SingleAppRoleAssignment([roles])', { roles: [] }, null],
    ['SingleAppRoleAssignment([roles])', {}, null],
    ['SingleAppRoleAssignment([roles])', { roles: ['member', 'guest'] }, { error: 'multipleAppRoles' }],
  ],
  Split: [
    ['Split([extensionAttribute5], ",")', { extensionAttribute5: 'PermissionSetOne, PermissionSetTwo' }, ['PermissionSetOne', 'PermissionSetTwo']],
    ['Split([missing], ",")', {}, null],
    ['Split([parts], ",")', { parts: ['a,b', 'c'] }, ['a', 'b', 'c']],
    ['Split("ü|ß", "|")', {}, ['ü', 'ß']],
    ['Split("a", "")', {}, { error: 'invalidArgument' }],
  ],
};

describe.each(Object.entries(tables))('%s', (_name, rows) => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});
