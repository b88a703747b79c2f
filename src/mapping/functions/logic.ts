// Conditions and null tests (FUNC): CBool, Coalesce, IgnoreFlowIfNullOrEmpty, IIF, IsNull, IsNullOrEmpty, IsPresent,
// IsString, Not, Redact, Switch, and the comparison operators used inside IIF conditions.
import type { ComparisonOperator } from '../parser.js';
import { booleanOf, EvaluationFailure, isList, isNullOrEmpty, isNumericText, textOf, type Value } from '../values.js';
import { arg, optionalArg, type FunctionSpec } from './spec.js';

function comparable(value: Value): string | number | Date {
  if (value === null) return ''; // IIF handles a null input as empty text, unlike Entra (FUNC IIF "Known limitations")
  if (isList(value)) throw new EvaluationFailure('typeMismatch', `cannot compare a list of ${value.length} values`);
  if (typeof value === 'number' || value instanceof Date) return value;
  return textOf(value);
}

/** Numbers (or numeric text on both sides) compare as numbers, dates as instants, everything else as case-sensitive text. */
export function compareValues(operator: ComparisonOperator, leftValue: Value, rightValue: Value): boolean {
  let left = comparable(leftValue);
  let right = comparable(rightValue);
  if (left instanceof Date || right instanceof Date) {
    left = left instanceof Date ? left.getTime() : textOf(left);
    right = right instanceof Date ? right.getTime() : textOf(right);
  }
  if ((typeof left === 'number' || isNumericText(left)) && (typeof right === 'number' || isNumericText(right))) {
    left = Number(left);
    right = Number(right);
  } else {
    left = String(left);
    right = String(right);
  }
  switch (operator) {
    case '=':
      return left === right;
    case '<>':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

function isTrueValue(value: Value): boolean {
  if (isList(value)) throw new EvaluationFailure('typeMismatch', `Not expects True or False, not a list of ${value.length} values`);
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

export const logicFunctions: Record<string, FunctionSpec> = {
  CBool: { min: 1, max: 1, evaluate: (args, scope) => booleanOf(arg(args, 0, scope), 'CBool') },
  Coalesce: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    evaluate: (args, scope) => {
      for (let index = 0; index < args.length; index += 1) {
        const value = arg(args, index, scope);
        if (value !== null && !(isList(value) && value.length === 0)) return value;
      }
      return null;
    },
  },
  // Its effect (drop the attribute from the flow) is applied by the compiler, which only allows it outermost.
  IgnoreFlowIfNullOrEmpty: { min: 1, max: 1, evaluate: (args, scope) => arg(args, 0, scope) },
  IIF: {
    min: 3,
    max: 3,
    evaluate: (args, scope) => (booleanOf(arg(args, 0, scope), 'IIF condition') ? arg(args, 1, scope) : arg(args, 2, scope)),
  },
  IsNull: { min: 1, max: 1, evaluate: (args, scope) => arg(args, 0, scope) === null },
  IsNullOrEmpty: { min: 1, max: 1, evaluate: (args, scope) => isNullOrEmpty(arg(args, 0, scope)) },
  IsPresent: { min: 1, max: 1, evaluate: (args, scope) => !isNullOrEmpty(arg(args, 0, scope)) },
  IsString: { min: 1, max: 1, evaluate: (args, scope) => typeof arg(args, 0, scope) === 'string' },
  // FUNC Not: "If source value is True, returns False. Otherwise, returns True."
  Not: { min: 1, max: 1, evaluate: (args, scope) => !isTrueValue(arg(args, 0, scope)) },
  // The value flows unchanged; explain shows "[Redact]" for any mapping that uses Redact.
  Redact: { min: 1, max: 1, evaluate: (args, scope) => arg(args, 0, scope) },
  // Entra's trap (FUNC Switch caution): a Switch whose source did not change evaluates to null when another mapped
  // attribute changed, and nulls the target. Here the whole mirrored object is always evaluated, so a Switch always
  // sees its source and returns the same value for the same input.
  Switch: {
    min: 4,
    max: Number.POSITIVE_INFINITY,
    omittable: (index) => index === 1,
    countProblem: (count) => (count % 2 === 0 ? undefined : 'Switch expects a source, a default and key/value pairs (an even number of arguments)'),
    evaluate: (args, scope) => {
      const source = arg(args, 0, scope);
      if (isList(source)) throw new EvaluationFailure('typeMismatch', `Switch source is a list of ${source.length} values`);
      // A null source matches the key "" (FUNC Switch: "use a literal empty string as one of the key values").
      const sourceText = source === null ? '' : textOf(source);
      for (let index = 2; index + 1 < args.length; index += 2) {
        const key = arg(args, index, scope);
        if ((key === null ? '' : textOf(key)) === sourceText) return arg(args, index + 1, scope);
      }
      return optionalArg(args, 1, scope) ?? null;
    },
  },
};
