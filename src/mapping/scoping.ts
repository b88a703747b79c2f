// Attribute-based scoping filters (reference §1.2, SCOPE): clauses AND-ed, filters OR-ed, no filter = in scope.
// A null or empty value makes a clause false (only IS NULL is true for it), and multi-valued attributes never match.
import type { ScopingClause, ScopingOperator } from '../config/mapping-schema.js';
import { regexFor } from './functions/index.js';
import { EvaluationFailure, isList, textOf, valueFromRaw, type Value } from './values.js';

export interface CompiledClause {
  readonly attribute: string;
  readonly operator: ScopingOperator;
  readonly value: string | undefined;
  readonly test: (value: Value) => boolean;
}

export interface CompiledFilter {
  readonly name: string | undefined;
  readonly clauses: readonly CompiledClause[];
}

export interface ClauseVerdict {
  attribute: string;
  operator: ScopingOperator;
  value: string | undefined;
  actual: Value;
  passed: boolean;
  reason?: string;
}

const valueless = new Set<ScopingOperator>(['IS FALSE', 'IS NOT NULL', 'IS NULL', 'IS TRUE']);

function integerText(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text.trim()) ? Number(text) : undefined;
}

function booleanText(value: Value): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
  }
  return undefined;
}

/** Builds the test of one clause, or returns the problem with its configuration. */
export function compileClause(clause: ScopingClause): CompiledClause | string {
  const { attribute, operator } = clause;
  const expected = clause.value ?? '';
  if (!valueless.has(operator) && clause.value === undefined) return `operator ${operator} needs a value`;
  const base = { attribute, operator, value: clause.value };
  // Only non-null, non-list values reach the text tests (see evaluateClause).
  const text = (value: Value) => textOf(value as Exclude<Value, null>);
  switch (operator) {
    case '&':
      return { ...base, test: (value) => expected.includes(text(value)) };
    case '!&':
      return { ...base, test: (value) => !expected.includes(text(value)) };
    case 'ENDS_WITH':
      return { ...base, test: (value) => text(value).endsWith(expected) };
    case 'EQUALS':
      return { ...base, test: (value) => text(value) === expected };
    case 'NOT EQUALS':
      return { ...base, test: (value) => text(value) !== expected };
    case 'Includes':
      return { ...base, test: (value) => text(value).includes(expected) };
    case 'Greater_Than':
    case 'Greater_Than_OR_EQUALS': {
      const limit = integerText(expected);
      if (limit === undefined) return `operator ${operator} needs an integer value, not "${expected}"`;
      const orEqual = operator === 'Greater_Than_OR_EQUALS';
      return {
        ...base,
        test: (value) => {
          const number = typeof value === 'number' && Number.isInteger(value) ? value : integerText(text(value));
          return number !== undefined && (orEqual ? number >= limit : number > limit);
        },
      };
    }
    case 'IS TRUE':
      return { ...base, test: (value) => booleanText(value) === true };
    case 'IS FALSE':
      return { ...base, test: (value) => booleanText(value) === false };
    case 'IS NULL':
    case 'IS NOT NULL':
      return { ...base, test: () => operator === 'IS NOT NULL' };
    case 'REGEX MATCH':
    case 'NOT REGEX MATCH': {
      let regex: RegExp;
      try {
        regex = regexFor(expected, '');
      } catch (error) {
        return (error as EvaluationFailure).message;
      }
      const negate = operator === 'NOT REGEX MATCH';
      return { ...base, test: (value) => regex.test(text(value)) !== negate };
    }
  }
}

export function evaluateClause(clause: CompiledClause, raw: unknown): ClauseVerdict {
  const verdict = { attribute: clause.attribute, operator: clause.operator, value: clause.value };
  let actual: Value;
  try {
    actual = valueFromRaw(raw, clause.attribute);
  } catch (error) {
    return { ...verdict, actual: null, passed: false, reason: (error as EvaluationFailure).message };
  }
  if (actual === null || actual === '') {
    return { ...verdict, actual, passed: clause.operator === 'IS NULL', reason: 'the value is null or empty' };
  }
  if (isList(actual)) return { ...verdict, actual, passed: false, reason: 'scoping filters do not support multi-valued attributes' };
  return { ...verdict, actual, passed: clause.test(actual) };
}

/** True when there is no filter, or every clause of at least one filter passes. */
export function passesFilters(filters: readonly CompiledFilter[], read: (name: string) => unknown): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) => filter.clauses.every((clause) => evaluateClause(clause, read(clause.attribute)).passed));
}
