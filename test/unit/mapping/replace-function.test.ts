import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const rows: Row[] = [
  ['Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )', { BusinessTitle: 'Product Developer' }, 'Software Engineer'],
  ['Replace([UserID],"<username>", , , , , "<username>@contoso.com")', { UserID: 'jsmith' }, 'jsmith@contoso.com'],
  ['Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )', { telephoneNumber: '+91 9998887777' }, '9998887777'],
  ['Replace([mobile], , "[()\\\\s-]+", , "", , )', { mobile: '+1 (999) 888-7777' }, '+19998887777'],
  ['Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )', { AddressLineData: '545 Tremont Street' }, '888 Tremont Street'],
  ['Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )', { userPrincipalName: 'jsmith@contoso.com' }, 'jsmith'],
  [
    'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
    { telephoneNumber: '', mobile: '+91 8887779999' },
    '8887779999',
  ],
  [
    'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
    { telephoneNumber: '+1 5550100', mobile: '+91 8887779999' },
    '+1 5550100',
  ],
  ['Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: 'john_doe72' }, '72'],
  ['Replace([mail], "@contoso.com", , ,"", ,)', { mail: 'john.doe@contoso.com' }, 'john.doe'],
  ['Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))', { objectId: '00aa' }, '100030306161'],
  ['Replace([name], "ø", , , "oe", , )', { name: 'Bjørn Søren' }, 'Bjoern Soeren'],
  ['Replace([name], , "(?<first>\\\\p{L}+)", , "[${first}]", , )', { name: 'Zoë' }, '[Zoë]'],
  ['Replace([mail], "@old.com", , , "@new.com", , )', { mail: ['a@old.com', 'b@old.com'] }, ['a@new.com', 'b@new.com']],
  ['Replace([missing], "a", , , "b", , )', {}, null],
  ['Replace([missing], "<u>", , , , , "<u>@x")', {}, null],
  ['Replace([x], , [pattern], , "y", , )', { x: 'abc', pattern: '(' }, { error: 'invalidRegex' }],
  ['Replace([x], "a", , , , , )', { x: 'abc' }, { error: 'invalidArgument' }],
  ['Replace([x], , "b", , , , )', { x: 'abc' }, { error: 'invalidArgument' }],
];

describe('Replace', () => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});
