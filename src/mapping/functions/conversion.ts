// Conversions and generated values (FUNC): BitAnd, ConvertToBase64, ConvertToUTF8Hex, CStr, Guid, RandomString.
// Randomness comes from the evaluation context, so a test (or a replay) gets the same values.
import { EvaluationFailure, integerOf, isNumericText, mapText, textOf, type Value } from '../values.js';
import { arg, optionalArg, textArgument, type EvaluationScope, type FunctionSpec } from './spec.js';

function bigIntegerOf(value: Value, what: string): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === 'string' && isNumericText(value)) return BigInt(value.trim().split('.')[0] as string);
  throw new EvaluationFailure('typeMismatch', `${what}: expected a whole number`);
}

function randomIndex(scope: EvaluationScope, size: number): number {
  const index = Math.floor(scope.random() * size);
  return Number.isFinite(index) ? Math.min(Math.max(index, 0), size - 1) : 0;
}

// The character classes of Windows password complexity, which FUNC RandomString points to.
const characterClasses = {
  numbers: '0123456789',
  special: '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/',
  capital: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
};

function randomString(scope: EvaluationScope, length: number, minimums: number[], avoid: string): string {
  const pools = Object.values(characterClasses).map((pool) => Array.from(pool).filter((char) => !avoid.includes(char)));
  const required = minimums.reduce((sum, count) => sum + count, 0);
  if (length < 1 || length > 256 || minimums.some((count) => count < 0) || required > length) {
    throw new EvaluationFailure('invalidArgument', `RandomString needs 1 ≤ length ≤ 256 and length ≥ the sum of the minimums (${required}), not ${length}`);
  }
  const chosen: string[] = [];
  for (const [index, pool] of pools.entries()) {
    const count = minimums[index] ?? 0;
    if (count > 0 && pool.length === 0) throw new EvaluationFailure('invalidArgument', 'RandomString: CharactersToAvoid removes a whole required class');
    for (let n = 0; n < count; n += 1) chosen.push(pool[randomIndex(scope, pool.length)] as string);
  }
  const everything = pools.flat();
  if (everything.length === 0) throw new EvaluationFailure('invalidArgument', 'RandomString: CharactersToAvoid removes every character');
  while (chosen.length < length) chosen.push(everything[randomIndex(scope, everything.length)] as string);
  for (let index = chosen.length - 1; index > 0; index -= 1) {
    const other = randomIndex(scope, index + 1);
    [chosen[index], chosen[other]] = [chosen[other] as string, chosen[index] as string];
  }
  return chosen.join('');
}

function guid(scope: EvaluationScope): string {
  const bytes = Array.from({ length: 16 }, () => randomIndex(scope, 256));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const conversionFunctions: Record<string, FunctionSpec> = {
  BitAnd: {
    min: 2,
    max: 2,
    evaluate: (args, scope) => Number(bigIntegerOf(arg(args, 0, scope), 'BitAnd value1') & bigIntegerOf(arg(args, 1, scope), 'BitAnd value2')),
  },
  // FUNC: "a Unicode base64 string", i.e. the UTF-16LE bytes ("Hello world!" → "SABlAGwAbABvACAAdwBvAHIAbABkACEA").
  ConvertToBase64: { min: 1, max: 1, evaluate: (args, scope) => mapText(arg(args, 0, scope), (text) => Buffer.from(text, 'utf16le').toString('base64')) },
  ConvertToUTF8Hex: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => mapText(arg(args, 0, scope), (text) => Buffer.from(text, 'utf8').toString('hex').toUpperCase()),
  },
  CStr: {
    min: 1,
    max: 1,
    evaluate: (args, scope) => {
      const value = arg(args, 0, scope);
      return value === null ? null : textOf(value);
    },
  },
  Guid: { min: 0, max: 0, evaluate: (_args, scope) => guid(scope) },
  RandomString: {
    min: 5,
    max: 6,
    evaluate: (args, scope) => {
      const length = integerOf(arg(args, 0, scope), 'RandomString Length');
      const minimums = [1, 2, 3, 4].map((index) => integerOf(arg(args, index, scope), 'RandomString minimum'));
      // Order of FUNC's parameters: numbers, special, capital, lower.
      return randomString(scope, length, minimums, textArgument(optionalArg(args, 5, scope)) ?? '');
    },
  },
};
