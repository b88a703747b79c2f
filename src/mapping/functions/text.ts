// Text functions (FUNC): Append, InStr, Left, Mid, NormalizeDiacritics, PCase, StripSpaces, ToLower, ToUpper, Word.
// Positions and lengths count characters (code points), so a name with non-BMP characters is never split in half.
// A text function given a multi-valued attribute applies to each value; given null it returns null unless FUNC says otherwise.
import { EvaluationFailure, integerOf, mapText, type Value } from '../values.js';
import { arg, optionalArg, textArgument, type FunctionSpec } from './spec.js';

function characters(text: string): string[] {
  return Array.from(text);
}

// FUNC NormalizeDiacritics table: letters that do not decompose under NFD, or that become two letters.
const diacriticSpecials: Record<string, string> = {
  æ: 'ae', Æ: 'AE', ø: 'oe', Ø: 'OE', œ: 'oe', Œ: 'OE', ł: 'l', Ł: 'L', ı: 'i', ß: 'ss',
};

/** Strips combining marks from Latin letters only, so other scripts (Cyrillic й, Hindi vowel signs) are left intact. */
export function normalizeDiacritics(text: string): string {
  let result = '';
  let stripMarks = false;
  for (const char of text.normalize('NFD')) {
    if (/[\u0300-\u036f]/.test(char)) {
      if (!stripMarks) result += char;
      continue;
    }
    const special = diacriticSpecials[char];
    result += special ?? char;
    stripMarks = special !== undefined || /[A-Za-z]/.test(char);
  }
  return result.normalize('NFC');
}

/** Without separators, like .NET ToTitleCase on lower-cased text: a word starts after anything not a letter, mark, digit or apostrophe. */
function properCase(text: string, separators: string | undefined): string {
  const isSeparator = separators === undefined ? (char: string) => !/[\p{L}\p{M}\p{N}'’]/u.test(char) : (char: string) => separators.includes(char);
  let atWordStart = true;
  let result = '';
  for (const char of text) {
    if (isSeparator(char)) {
      result += char;
      atWordStart = true;
    } else {
      result += atWordStart ? char.toUpperCase() : char.toLowerCase();
      atWordStart = false;
    }
  }
  return result;
}

function caseWith(value: Value, culture: Value | undefined, upper: boolean): Value {
  const locale = textArgument(culture);
  return mapText(value, (text) => {
    if (locale === undefined || locale === '') return upper ? text.toUpperCase() : text.toLowerCase();
    try {
      return upper ? text.toLocaleUpperCase(locale) : text.toLocaleLowerCase(locale);
    } catch {
      throw new EvaluationFailure('invalidArgument', `"${locale}" is not a culture name such as en-US`);
    }
  });
}

function position(haystack: string, needle: string, start: number, ignoreCase: boolean): number {
  const chars = characters(haystack);
  if (start < 1) throw new EvaluationFailure('invalidArgument', `InStr start must be 1 or more, not ${start}`);
  if (start > chars.length) return 0;
  const offset = chars.slice(0, start - 1).join('').length;
  const found = ignoreCase ? haystack.toLowerCase().indexOf(needle.toLowerCase(), offset) : haystack.indexOf(needle, offset);
  return found === -1 ? 0 : characters(haystack.slice(0, found)).length + 1;
}

export const textFunctions: Record<string, FunctionSpec> = {
  Append: {
    min: 2,
    max: 2,
    evaluate: (args, scope) => {
      const suffix = textArgument(arg(args, 1, scope)) ?? '';
      return mapText(arg(args, 0, scope), (text) => text + suffix);
    },
  },
  InStr: {
    min: 2,
    max: 4,
    evaluate: (args, scope) => {
      const haystack = textArgument(arg(args, 0, scope));
      const needle = textArgument(arg(args, 1, scope));
      if (haystack === undefined || needle === undefined) return null;
      const start = optionalArg(args, 2, scope);
      const compare = optionalArg(args, 3, scope);
      const ignoreCase = compare === 'vbTextCompare' || compare === 1 || compare === '1';
      return position(haystack, needle, start === undefined || start === null ? 1 : integerOf(start, 'InStr start'), ignoreCase);
    },
  },
  Left: {
    min: 2,
    max: 2,
    evaluate: (args, scope) => {
      const count = integerOf(arg(args, 1, scope), 'Left NumChars');
      const source = arg(args, 0, scope);
      if (source === null) return ''; // FUNC: "If string is null, return empty string."
      return mapText(source, (text) => (count < 0 ? text : characters(text).slice(0, count).join('')));
    },
  },
  Mid: {
    min: 3,
    max: 3,
    evaluate: (args, scope) => {
      const start = integerOf(arg(args, 1, scope), 'Mid start');
      const length = integerOf(arg(args, 2, scope), 'Mid length');
      if (start < 1 || length < 0) throw new EvaluationFailure('invalidArgument', `Mid needs start ≥ 1 and length ≥ 0, not ${start} and ${length}`);
      return mapText(arg(args, 0, scope), (text) => characters(text).slice(start - 1, start - 1 + length).join(''));
    },
  },
  NormalizeDiacritics: { min: 1, max: 1, evaluate: (args, scope) => mapText(arg(args, 0, scope), normalizeDiacritics) },
  PCase: {
    min: 1,
    max: 2,
    evaluate: (args, scope) => {
      const separators = textArgument(optionalArg(args, 1, scope));
      return mapText(arg(args, 0, scope), (text) => properCase(text, separators));
    },
  },
  StripSpaces: { min: 1, max: 1, evaluate: (args, scope) => mapText(arg(args, 0, scope), (text) => text.replaceAll(' ', '')) },
  ToLower: { min: 1, max: 2, evaluate: (args, scope) => caseWith(arg(args, 0, scope), optionalArg(args, 1, scope), false) },
  ToUpper: { min: 1, max: 2, evaluate: (args, scope) => caseWith(arg(args, 0, scope), optionalArg(args, 1, scope), true) },
  Word: {
    min: 3,
    max: 3,
    evaluate: (args, scope) => {
      const number = integerOf(arg(args, 1, scope), 'Word WordNumber');
      const delimiters = characters(textArgument(arg(args, 2, scope)) ?? '');
      const source = arg(args, 0, scope);
      if (source === null || number < 1) return ''; // FUNC: null string or number < 1 give an empty string
      return mapText(source, (text) => {
        const words: string[] = [];
        let current = '';
        for (const char of text) {
          if (delimiters.includes(char)) {
            if (current !== '') words.push(current);
            current = '';
          } else current += char;
        }
        if (current !== '') words.push(current);
        return words[number - 1] ?? '';
      });
    },
  },
};
