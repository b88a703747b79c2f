import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const tables: Record<string, Row[]> = {
  BitAnd: [
    ['BitAnd(&HF, &HF7)', {}, 7],
    ['BitAnd([a], [b])', { a: '12', b: 10 }, 8],
    ['BitAnd([flags], 2)', { flags: 66048 }, 0],
    ['BitAnd([missing], 1)', {}, { error: 'typeMismatch' }],
    ['BitAnd([list], 1)', { list: ['1'] }, { error: 'typeMismatch' }],
  ],
  ConvertToBase64: [
    ['ConvertToBase64("Hello world!")', {}, 'SABlAGwAbABvACAAdwBvAHIAbABkACEA'],
    ['ConvertToBase64("é")', {}, '6QA='],
    ['ConvertToBase64([missing])', {}, null],
    ['ConvertToBase64([list])', { list: ['a', 'b'] }, ['YQA=', 'YgA=']],
  ],
  ConvertToUTF8Hex: [
    ['ConvertToUTF8Hex("Hello world!")', {}, '48656C6C6F20776F726C6421'],
    ['ConvertToUTF8Hex("é")', {}, 'C3A9'],
    ['ConvertToUTF8Hex([missing])', {}, null],
    ['ConvertToUTF8Hex([list])', { list: ['a', 'b'] }, ['61', '62']],
  ],
  CStr: [
    ['CStr([dn])', { dn: 'cn=Joe,dc=contoso,dc=com' }, 'cn=Joe,dc=contoso,dc=com'],
    ['CStr([n])', { n: 42 }, '42'],
    ['CStr([b])', { b: true }, 'True'],
    ['CStr([s])', { s: 'Zoë' }, 'Zoë'],
    ['CStr([missing])', {}, null],
    ['CStr([list])', { list: ['a'] }, { error: 'typeMismatch' }],
  ],
};

describe.each(Object.entries(tables))('%s', (_name, rows) => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});

function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] as number;
}

describe('Guid', () => {
  it('makes a version 4 GUID from the randomness it is given', () => {
    const guid = run('Guid()', {}, sequence(0.1, 0.7, 0.3));
    expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('Guid()', {}, sequence(0.1, 0.7, 0.3))).toBe(guid);
    expect(run('Guid()', {}, sequence(0.2))).not.toBe(guid);
  });
});

describe('RandomString', () => {
  it('gives 6 characters with 3 digits and 3 lower-case letters', () => {
    const text = run('RandomString(6,3,0,0,3)', {}, sequence(0.05, 0.5, 0.95, 0.3)) as string;
    expect(text).toHaveLength(6);
    expect(text.replace(/[^0-9]/g, '').length).toBeGreaterThanOrEqual(3);
    expect(text.replace(/[^a-z]/g, '').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps every minimum and avoids the characters it is told to', () => {
    for (const seed of [0, 0.13, 0.5, 0.77, 0.99]) {
      const text = run('RandomString(10,2,2,2,1,"?,")', {}, sequence(seed, 0.4, 0.9, 0.02)) as string;
      expect(text).toHaveLength(10);
      expect(text).not.toMatch(/[?,]/);
      expect(text.replace(/[^0-9]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(text.replace(/[^A-Z]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(text.replace(/[^a-z]/g, '').length).toBeGreaterThanOrEqual(1);
      expect(text.replace(/[A-Za-z0-9]/g, '').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('refuses lengths over 256 or shorter than the minimums', () => {
    expect(run('RandomString(300,0,0,0,0)')).toEqual({ error: 'invalidArgument' });
    expect(run('RandomString(3,2,2,0,0)')).toEqual({ error: 'invalidArgument' });
    expect(run('RandomString(4,4,0,0,0,"0123456789")')).toEqual({ error: 'invalidArgument' });
  });

  it('cannot take a multi-valued or empty length', () => {
    expect(run('RandomString([n],0,0,0,0)', { n: ['5'] })).toEqual({ error: 'typeMismatch' });
    expect(run('RandomString([n],0,0,0,0)', {})).toEqual({ error: 'typeMismatch' });
  });
});
