// The values an expression works on, how raw mirrored attributes become them, and the typed failure of an evaluation.
import { formatEntraDate } from './dates.js';

/** A value inside an expression. Multi-valued attributes are string lists; CDate/Now/DateAdd produce instants. */
export type Value = null | string | number | boolean | Date | readonly string[];

export type MappingErrorCode =
  | 'typeMismatch'
  | 'invalidArgument'
  | 'invalidDate'
  | 'invalidRegex'
  | 'multipleAppRoles'
  | 'unsupportedValue'
  | 'multiValuedResult'
  | 'invalidBoolean';

/** Thrown inside an evaluation only; caught per attribute and turned into a MappingError. */
export class EvaluationFailure extends Error {
  constructor(
    readonly code: MappingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EvaluationFailure';
  }
}

/** Narrows one raw mirrored attribute value (unknown shape) into a Value, or fails with `unsupportedValue`. */
export function valueFromRaw(raw: unknown, name: string): Value {
  if (raw === undefined || raw === null) return null;
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      if (Number.isFinite(raw)) return raw;
      throw new EvaluationFailure('unsupportedValue', `attribute "${name}" holds a number that is not finite`);
    case 'bigint':
      return raw.toString();
    default:
      break;
  }
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) throw new EvaluationFailure('unsupportedValue', `attribute "${name}" holds an invalid date`);
    return raw;
  }
  if (Array.isArray(raw)) {
    const items: string[] = [];
    for (const item of raw as unknown[]) {
      const value = valueFromRaw(item, name);
      if (value === null) continue;
      if (Array.isArray(value)) throw new EvaluationFailure('unsupportedValue', `attribute "${name}" holds nested lists`);
      items.push(textOf(value));
    }
    return items;
  }
  throw new EvaluationFailure('unsupportedValue', `attribute "${name}" holds an object, not a string, number, boolean or list`);
}

export function isList(value: Value): value is readonly string[] {
  return Array.isArray(value);
}

/** Entra's string form of a single value: booleans as "True"/"False", instants as "M/d/yyyy h:mm:ss tt" (FUNC CDate). */
export function textOf(value: Exclude<Value, null>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof Date) return formatEntraDate(value);
  throw new EvaluationFailure('typeMismatch', `expected a single value but got a list of ${value.length}`);
}

export function isNullOrEmpty(value: Value): boolean {
  return value === null || value === '' || (isList(value) && value.length === 0);
}

/** Reads a boolean the way Entra does: booleans, "True"/"False" in any case, numbers (non-zero is true); null is false. */
export function booleanOf(value: Value, what: string): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false' || lower === '') return false;
    if (isNumericText(lower)) return Number(lower) !== 0;
    throw new EvaluationFailure('invalidBoolean', `${what}: "${value}" is not True, False or a number`);
  }
  throw new EvaluationFailure('typeMismatch', `${what}: expected a boolean but got ${describe(value)}`);
}

export function isNumericText(text: string): boolean {
  return /^[+-]?\d+(\.\d+)?$/.test(text.trim());
}

/** An integer argument: a number or numeric text, truncated. */
export function integerOf(value: Value, what: string): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && isNumericText(value)) return Math.trunc(Number(value));
  throw new EvaluationFailure('typeMismatch', `${what}: expected a whole number but got ${describe(value)}`);
}

export function describe(value: Value): string {
  if (value === null) return 'null';
  if (isList(value)) return `a list of ${value.length} values`;
  if (value instanceof Date) return `the date ${formatEntraDate(value)}`;
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** Applies a text function to a single value, or to each value of a multi-valued one; null stays null. */
export function mapText(value: Value, transform: (text: string) => string): Value {
  if (value === null) return null;
  if (isList(value)) return value.map(transform);
  return transform(textOf(value));
}
