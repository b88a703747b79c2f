import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../../src/mapping/compile-expression.js';
import { ExpressionSyntaxError, parseExpression } from '../../../src/mapping/parser.js';
import { run } from './run-expression.js';

function errorOf(expression: string): string {
  try {
    compileExpression(expression);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error.message;
    throw error;
  }
  throw new Error(`"${expression}" compiled`);
}

describe('the expression parser', () => {
  it('reads escaped quotes and backslashes in string constants', () => {
    expect(run('Append("Company name: \\"Contoso\\"", "\\\\")')).toBe('Company name: "Contoso"\\');
  });

  it('reads nested calls across lines and spaces', () => {
    expect(run('Join( "@" ,\n  ToLower( [givenName] ) ,\n\t"contoso.com" )', { givenName: 'ZOË' })).toBe('zoë@contoso.com');
  });

  it('reads numbers, hexadecimal numbers, comparisons and compare-mode names', () => {
    expect(parseExpression('IIF([a]>=-1.5,&HFF,vbTextCompare)')).toMatchObject({
      kind: 'call',
      args: [{ kind: 'compare', operator: '>=', right: { kind: 'number', value: -1.5 } }, { kind: 'number', value: 255 }, { kind: 'string', value: 'vbTextCompare' }],
    });
  });

  it('accepts a bare attribute or constant as the whole expression', () => {
    expect(run('[mail]', { mail: 'a@b' })).toBe('a@b');
    expect(run('"fixed"')).toBe('fixed');
  });

  it.each([
    ['', 'at 1: expected an attribute, a string, a number or a function but found end of input'],
    ['Left(#, 1)', 'at 6: expected an attribute, a string, a number or a function but found "#"'],
    ['Left([mail], 3', 'at 15: expected "," or ")" but found end of input'],
    ['Left([mail] 3)', 'at 13: expected "," or ")" but found "3"'],
    ['Append([a], "open', 'at 18: expected a closing \'"\' but found end of input'],
    ['Append([a], "\\d")', 'at 15: expected \'\\\\\' or \'"\' after \'\\\' but found "d"'],
    ['Append([mail, "x")', 'at 13: expected "]" but found ","'],
    ['Append([], "x")', 'at 9: expected an attribute name but found "]"'],
    ['Append([a[b]], "x")', 'at 10: expected "]" but found "["'],
    ['toLower([mail])', 'at 1: expected a known function but found toLower (names are case-sensitive: did you mean ToLower?)'],
    ['Frobnicate([mail])', 'at 1: expected a known function but found Frobnicate'],
    ['Append(mail, "x")', 'at 12: expected "(" after the function name mail but found ","'],
    ['Left("a", 1) extra', 'at 14: expected end of input but found "e"'],
    ['Left([mail])', 'at 1: expected 2 arguments for Left but found 1'],
    ['InStr("a")', 'at 1: expected 2 to 4 arguments for InStr but found 1'],
    ['Join(",")', 'at 1: expected at least 2 arguments for Join but found 1'],
    ['Switch([a], "d", "k1", "v1", "k2")', 'at 1: expected Switch expects a source, a default and key/value pairs (an even number of arguments) but found 5 arguments'],
    ['Left(, 2)', 'at 1: expected argument 1 of Left but found it empty'],
    ['ToLower(IgnoreFlowIfNullOrEmpty([mail]))', 'at 9: expected IgnoreFlowIfNullOrEmpty only as the outermost function'],
    ['Replace([a], , "(", , "x", , )', 'at 16: expected a valid regular expression but found "("'],
    ['DateAdd("q", 1, Now())', 'at 9: expected an interval (yyyy, m, d, ww, h, n or s) but found "q"'],
    ['ToLower([a], "no culture!")', 'at 14: expected a culture name such as en-US but found "no culture!"'],
    ['BitAnd(&HZ, 1)', 'at 10: expected hexadecimal digits after "&H" but found "Z"'],
    ['Left("a", -x)', 'at 12: expected a digit but found "x"'],
    ['IIF([a] = , "x", "y")', 'at 11: expected an attribute, a string, a number or a function but found ","'],
  ])('rejects %j: %s', (expression, message) => {
    expect(errorOf(expression)).toBe(message);
  });

  it('rejects expressions longer than Entra’s 10,000 characters', () => {
    expect(errorOf(`Append([a], "${'x'.repeat(10_000)}")`)).toMatch(/^at 10001: expected at most 10000 characters \(Entra's limit\) but found 10015$/);
  });

  it('rejects nesting deeper than 100 functions', () => {
    expect(errorOf(`${'ToLower('.repeat(101)}[a]${')'.repeat(101)}`)).toBe('at 801: expected at most 100 nested functions');
  });
});
