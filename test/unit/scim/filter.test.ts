import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eqFilter, escapeFilterValue } from '../../../src/scim/index.js';

/** Reads back the quoted value of `attr eq "…"` the way a SCIM server does: as a JSON string. */
function valueOfEqFilter(filter: string): string {
  const quoted = filter.slice(filter.indexOf(' eq ') + 4);
  return JSON.parse(quoted) as string;
}

describe('SCIM filter building', () => {
  it('escapes a double quote and a backslash in a userName', () => {
    expect(escapeFilterValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(eqFilter('userName', 'x" or userName pr or "')).toBe('userName eq "x\\" or userName pr or \\""');
  });

  it('gives back any hostile userName unchanged when the server reads the filter value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (userName) => {
        expect(valueOfEqFilter(eqFilter('userName', userName))).toBe(userName);
      }),
    );
  });

  it('never lets a value close the quotes early', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const inner = eqFilter('userName', value).slice('userName eq "'.length, -1);
        expect(inner).not.toMatch(/(^|[^\\])(\\\\)*"/);
      }),
    );
  });

  it('refuses an attribute name that is not a plain attribute path', () => {
    expect(() => eqFilter('userName pr or userName', 'x')).toThrow(/not a SCIM attribute path/);
    expect(eqFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', 'R&D')).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"',
    );
  });
});
