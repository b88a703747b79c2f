// Test helper: compiles one expression and evaluates it against plain attributes; a typed failure comes back as { error: code }.
import { compileExpression } from '../../../src/mapping/compile-expression.js';
import { EvaluationFailure, valueFromRaw, type Value } from '../../../src/mapping/values.js';

export const fixedNow = new Date('2021-07-02T15:33:38Z');

export function run(expression: string, attributes: Record<string, unknown> = {}, random: () => number = () => 0.5): Value | { error: string } {
  const compiled = compileExpression(expression);
  try {
    return compiled.evaluate({ read: (name) => valueFromRaw(attributes[name], name), now: fixedNow, random });
  } catch (error) {
    if (error instanceof EvaluationFailure) return { error: error.code };
    throw error;
  }
}

/** A row of a function table: expression, attributes, expected result. */
export type Row = [string, Record<string, unknown>, unknown];
