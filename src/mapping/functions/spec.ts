// The shape of one built-in expression function and the helpers the implementations share.
import { textOf, type Value } from '../values.js';

/** What an evaluation can read: attributes (raw values narrowed on read), the clock and randomness passed in. */
export interface EvaluationScope {
  read(name: string): Value;
  readonly now: Date;
  readonly random: () => number;
}

export type Evaluator = (scope: EvaluationScope) => Value;
/** One entry per written argument; `undefined` where the argument was left empty (`Switch([x], , "a", "b")`). */
export type Arguments = ReadonlyArray<Evaluator | undefined>;

export interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  /** Which arguments may be left empty; by default those after the required ones. */
  readonly omittable?: (index: number) => boolean;
  /** Extra rule on the number of arguments (Switch wants key/value pairs). */
  readonly countProblem?: (count: number) => string | undefined;
  /** Arguments are evaluated lazily, so IIF and Switch only evaluate the branch they return. */
  readonly evaluate: (args: Arguments, scope: EvaluationScope) => Value;
}

/** The value of argument `index`, or undefined when it was left empty or not written. */
export function optionalArg(args: Arguments, index: number, scope: EvaluationScope): Value | undefined {
  const evaluator = args[index];
  return evaluator === undefined ? undefined : evaluator(scope);
}

/** The value of a required argument (the compiler guarantees it was written). */
export function arg(args: Arguments, index: number, scope: EvaluationScope): Value {
  return optionalArg(args, index, scope) ?? null;
}

/** A single text argument; null or empty-argument gives undefined. */
export function textArgument(value: Value | undefined): string | undefined {
  return value === undefined || value === null ? undefined : textOf(value);
}
