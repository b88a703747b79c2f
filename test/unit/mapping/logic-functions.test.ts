import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const list = ['a', 'b'];
const stateSwitch = 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")';

const tables: Record<string, Row[]> = {
  CBool: [
    ['CBool([a] = [b])', { a: 'x', b: 'x' }, true],
    ['CBool([a] = [b])', { a: 'x', b: 'X' }, false],
    ['CBool("0")', {}, false],
    ['CBool(5)', {}, true],
    ['CBool("True")', {}, true],
    ['CBool([missing])', {}, false],
    ['CBool("yes")', {}, { error: 'invalidBoolean' }],
    ['CBool([list])', { list }, { error: 'typeMismatch' }],
  ],
  Coalesce: [
    ['Coalesce([mail],[userPrincipalName])', { userPrincipalName: 'John.Doe@contoso.com' }, 'John.Doe@contoso.com'],
    ['Coalesce([mail],[userPrincipalName],"none")', {}, 'none'],
    ['Coalesce([mail])', {}, null],
    ['Coalesce([empty],"default")', { empty: '' }, ''],
    ['Coalesce([noMails],[mail])', { noMails: [], mail: 'zoë@contoso.com' }, 'zoë@contoso.com'],
    ['Coalesce([list],"x")', { list }, list],
  ],
  IgnoreFlowIfNullOrEmpty: [
    ['IgnoreFlowIfNullOrEmpty([department])', { department: 'Sales' }, 'Sales'],
    ['IgnoreFlowIfNullOrEmpty([department])', {}, null],
    ['IgnoreFlowIfNullOrEmpty([list])', { list }, list],
    ['IgnoreFlowIfNullOrEmpty([department])', { department: 'Vertrieb Österreich' }, 'Vertrieb Österreich'],
  ],
  IIF: [
    ['IIF([country]="USA",[country],[department])', { country: 'USA', department: 'Sales' }, 'USA'],
    ['IIF([country]="USA",[country],[department])', { country: 'France', department: 'Sales' }, 'Sales'],
    ['IIF([country]="USA",[country],[department])', { department: 'Sales' }, 'Sales'],
    ['IIF([country]="","Other",[country])', {}, 'Other'],
    ['IIF(IsNullOrEmpty([country]),"Other",[country])', {}, 'Other'],
    ['IIF(IsPresent([country]),[country],"Other")', { country: 'Česko' }, 'Česko'],
    ['IIF([n] > 5, "big", "small")', { n: '10' }, 'big'],
    ['IIF([n] <= 5, "small", "big")', { n: 5 }, 'small'],
    ['IIF([s] < "b", "before", "after")', { s: 'a' }, 'before'],
    ['IIF([s] <> "a", "other", "same")', { s: 'a' }, 'same'],
    ['IIF([s] >= "b", "later", "earlier")', { s: 'é' }, 'later'],
    ['IIF(DateDiff("d", Now(), CDate([hire])) > 5, "False", "True")', { hire: '2021-07-20' }, 'False'],
    ['IIF("True","taken",Mid("x",0,1))', {}, 'taken'],
    ['IIF("maybe","a","b")', {}, { error: 'invalidBoolean' }],
    ['IIF([list]="a","a","b")', { list }, { error: 'typeMismatch' }],
  ],
  IsNull: [
    ['IsNull([displayName])', {}, true],
    ['IsNull([displayName])', { displayName: '' }, false],
    ['IsNull([list])', { list }, false],
    ['IsNull([displayName])', { displayName: 'Zoë' }, false],
  ],
  IsNullOrEmpty: [
    ['IsNullOrEmpty([displayName])', {}, true],
    ['IsNullOrEmpty([displayName])', { displayName: '' }, true],
    ['IsNullOrEmpty([list])', { list: [] }, true],
    ['IsNullOrEmpty([list])', { list }, false],
    ['IsNullOrEmpty([displayName])', { displayName: 'Zoë' }, false],
  ],
  IsPresent: [
    ['IsPresent([displayName])', {}, false],
    ['IsPresent([displayName])', { displayName: '' }, false],
    ['IsPresent([list])', { list }, true],
    ['IsPresent([displayName])', { displayName: 'Zoë' }, true],
  ],
  IsString: [
    ['IsString([x])', { x: 'Zoë' }, true],
    ['IsString([x])', { x: 5 }, false],
    ['IsString([x])', {}, false],
    ['IsString([list])', { list }, false],
  ],
  Not: [
    ['Not("True")', {}, false],
    ['Not([flag])', { flag: true }, false],
    ['Not([flag])', { flag: 'false' }, true],
    ['Not([flag])', {}, true],
    ['Not("Ja")', {}, true],
    ['Not(IsNull([x]))', { x: 'x' }, true],
    ['Not([list])', { list }, { error: 'typeMismatch' }],
  ],
  Redact: [
    ['Redact([userPrincipalName])', { userPrincipalName: 'zoë@contoso.com' }, 'zoë@contoso.com'],
    ['Redact([missing])', {}, null],
    ['Redact([list])', { list }, list],
  ],
  Switch: [
    [stateSwitch, { state: 'QLD' }, 'Australia/Brisbane'],
    [stateSwitch, { state: 'WA' }, 'Australia/Sydney'],
    [stateSwitch, { state: 'qld' }, 'Australia/Sydney'],
    [stateSwitch, {}, 'Australia/Sydney'],
    ['Switch([statusFlag], "Default Value", "true", "1", "", "0")', {}, '0'],
    ['Switch([x], , "a", "b")', { x: 'c' }, null],
    ['Switch([IsSoftDeleted], , "False", "True", "True", "False")', { IsSoftDeleted: false }, 'True'],
    ['Switch([city], "other", "Zürich", "ZH")', { city: 'Zürich' }, 'ZH'],
    ['Switch([list], "d", "a", "b")', { list }, { error: 'typeMismatch' }],
    ['Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")', { Active: '1', StatusHireDate: '2021-07-04' }, 'True'],
  ],
};

describe.each(Object.entries(tables))('%s', (_name, rows) => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});

describe('Switch in this engine', () => {
  it('returns the same value every time for the same source, whatever else changed', () => {
    const expression = 'Switch([companyName], "External", "Company A", "A", "Company B", "B")';
    expect(run(expression, { companyName: 'Company B', displayName: 'Old' })).toBe('B');
    expect(run(expression, { companyName: 'Company B', displayName: 'New' })).toBe('B');
  });
});
