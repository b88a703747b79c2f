import { describe, expect, it } from 'vitest';
import { run, type Row } from './run-expression.js';

const names = ['Ana', 'Zoë'];

const tables: Record<string, Row[]> = {
  Append: [
    ['Append([userPrincipalName], ".test")', { userPrincipalName: 'John.Doe@contoso.com' }, 'John.Doe@contoso.com.test'],
    ['Append([missing], ".test")', {}, null],
    ['Append([names], "!")', { names }, ['Ana!', 'Zoë!']],
    ['Append([name], "ü")', { name: 'Zoë' }, 'Zoëü'],
  ],
  InStr: [
    ['InStr("The quick brown fox","quick")', {}, 5],
    ['InStr("repEated","e",3,vbBinaryCompare)', {}, 7],
    ['InStr("repEated","e",3,vbTextCompare)', {}, 4],
    ['InStr("abc","z")', {}, 0],
    ['InStr([missing],"a")', {}, null],
    ['InStr("😀ab","a")', {}, 2],
    ['InStr([names],"a")', { names }, { error: 'typeMismatch' }],
  ],
  Left: [
    ['Left("John Doe", 3)', {}, 'Joh'],
    ['Left("John Doe", 0)', {}, ''],
    ['Left("John Doe", -1)', {}, 'John Doe'],
    ['Left("Jo", 5)', {}, 'Jo'],
    ['Left([missing], 2)', {}, ''],
    ['Left("😀😀x", 1)', {}, '😀'],
    ['Left([names], 2)', { names }, ['An', 'Zo']],
    ['Left("abc", "x")', {}, { error: 'typeMismatch' }],
  ],
  Mid: [
    ['Mid("John", 2, 2)', {}, 'oh'],
    ['Mid("John", 2, 10)', {}, 'ohn'],
    ['Mid([missing], 1, 2)', {}, null],
    ['Mid("John", 0, 2)', {}, { error: 'invalidArgument' }],
    ['Mid("Ærøskøbing", 3, 3)', {}, 'øsk'],
    ['Mid([names], 2, 2)', { names }, ['na', 'oë']],
  ],
  NormalizeDiacritics: [
    ['NormalizeDiacritics([givenName])', { givenName: 'Zoë' }, 'Zoe'],
    ['NormalizeDiacritics("Ærøskøbing Straße Łódź Ğüç")', {}, 'AEroeskoebing Strasse Lodz Guc'],
    ['NormalizeDiacritics("Йод मनोज")', {}, 'Йод मनोज'],
    ['NormalizeDiacritics([missing])', {}, null],
    ['NormalizeDiacritics([names])', { names }, ['Ana', 'Zoe']],
  ],
  PCase: [
    ['PCase([firstName])', { firstName: 'PABLO GONSALVES (SECOND)' }, 'Pablo Gonsalves (Second)'],
    ['PCase([lastName]," \'-")', { lastName: "PINTO-DE'SILVA" }, "Pinto-De'Silva"],
    ['PCase(Join(" ",[firstName],[lastName]))', { firstName: 'GREGORY', lastName: 'JAMES' }, 'Gregory James'],
    ['PCase("élodie ÇELIK")', {}, 'Élodie Çelik'],
    ['PCase([missing])', {}, null],
    ['PCase([names])', { names: ['ana', 'zoë'] }, ['Ana', 'Zoë']],
  ],
  StripSpaces: [
    ['StripSpaces("a b  c")', {}, 'abc'],
    ['StripSpaces("Zoë Ô")', {}, 'ZoëÔ'],
    ['StripSpaces([missing])', {}, null],
    ['StripSpaces([names])', { names: ['a b', 'c'] }, ['ab', 'c']],
  ],
  ToLower: [
    ['ToLower("ÄBC")', {}, 'äbc'],
    ['ToLower("I", "tr-TR")', {}, 'ı'],
    ['ToLower([missing])', {}, null],
    ['ToLower([names])', { names }, ['ana', 'zoë']],
    ['ToLower("A", [culture])', { culture: 'not a culture!' }, { error: 'invalidArgument' }],
  ],
  ToUpper: [
    ['ToUpper("straße")', {}, 'STRASSE'],
    ['ToUpper("i", "tr-TR")', {}, 'İ'],
    ['ToUpper([missing])', {}, null],
    ['ToUpper([names])', { names }, ['ANA', 'ZOË']],
  ],
  Word: [
    ['Word("The quick brown fox",3," ")', {}, 'brown'],
    ['Word("This,string!has&many separators",3,",!&#")', {}, 'has'],
    ['Word("a  b",2," ")', {}, 'b'],
    ['Word("a b",0," ")', {}, ''],
    ['Word("a b",5," ")', {}, ''],
    ['Word([missing],1," ")', {}, ''],
    ['Word("Zoë·Ünal",2,"·")', {}, 'Ünal'],
    ['Word([names],1,"n")', { names }, ['A', 'Zoë']],
  ],
};

describe.each(Object.entries(tables))('%s', (_name, rows) => {
  it.each(rows)('%s with %j gives %j', (expression, attributes, expected) => {
    expect(run(expression, attributes)).toEqual(expected);
  });
});
