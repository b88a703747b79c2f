// One compiled attribute mapping and its evaluation into the value its SCIM target expects.
import type { EvaluationScope, Evaluator } from './functions/index.js';
import type { TargetType } from './targets.js';
import { booleanOf, EvaluationFailure, isList, isNullOrEmpty, textOf, type MappingErrorCode, type Value } from './values.js';

export type MappedValue = string | number | boolean | null | string[];

export interface MappingError {
  target: string;
  code: MappingErrorCode;
  message: string;
}

export interface CompiledAttribute {
  readonly target: string;
  readonly type: TargetType;
  readonly source: 'direct' | 'constant' | 'expression';
  /** The attribute name, the constant or the expression as written. */
  readonly sourceText: string;
  readonly createOnly: boolean;
  /** Entra's "Default value if null", already converted to the target's type; used on create only (reference §3). */
  readonly defaultIfNull: MappedValue | undefined;
  readonly evaluate: Evaluator;
  readonly attributes: readonly string[];
  readonly ignoreIfEmpty: boolean;
  readonly redacted: boolean;
}

export type AttributeOutcome =
  | { kind: 'value'; value: MappedValue; usedDefault: boolean }
  | { kind: 'ignored' }
  | { kind: 'error'; error: MappingError };

/** Converts an expression result to the target's type; empty (null, "", no values) becomes null. */
export function targetValue(value: Value, type: TargetType, target: string): MappedValue {
  if (isNullOrEmpty(value)) return null;
  let single: Exclude<Value, null | readonly string[]>;
  if (isList(value)) {
    if (value.length > 1) throw new EvaluationFailure('multiValuedResult', `${target} takes one value but the mapping gave ${value.length}`);
    single = value[0] as string;
  } else single = value as Exclude<Value, null | readonly string[]>;
  // Entra passes booleans as "True"/"False" text; SCIM wants JSON booleans for `active`.
  if (type === 'boolean') return booleanOf(single, target);
  return textOf(single);
}

export function evaluateAttribute(attribute: CompiledAttribute, scope: EvaluationScope): AttributeOutcome {
  try {
    const raw = attribute.evaluate(scope);
    if (attribute.ignoreIfEmpty && isNullOrEmpty(raw)) return { kind: 'ignored' };
    const value = targetValue(raw, attribute.type, attribute.target);
    if (value === null && attribute.defaultIfNull !== undefined) return { kind: 'value', value: attribute.defaultIfNull, usedDefault: true };
    return { kind: 'value', value, usedDefault: false };
  } catch (error) {
    if (error instanceof EvaluationFailure) return { kind: 'error', error: { target: attribute.target, code: error.code, message: error.message } };
    // A RangeError from deep recursion or a bug must not stop the cycle for everyone: report it on this attribute.
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'error', error: { target: attribute.target, code: 'invalidArgument', message } };
  }
}
