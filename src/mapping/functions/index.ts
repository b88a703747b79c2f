// Every built-in expression function by its case-sensitive name (FUNC "List of Functions").
import { conversionFunctions } from './conversion.js';
import { listFunctions } from './lists.js';
import { logicFunctions } from './logic.js';
import { replaceFunctions } from './replace.js';
import type { FunctionSpec } from './spec.js';
import { textFunctions } from './text.js';
import { timeFunctions } from './time.js';

export const builtinFunctions: ReadonlyMap<string, FunctionSpec> = new Map(
  Object.entries({ ...textFunctions, ...logicFunctions, ...listFunctions, ...timeFunctions, ...conversionFunctions, ...replaceFunctions }),
);

export { compareValues } from './logic.js';
export { regexFor } from './replace.js';
export type { Arguments, EvaluationScope, Evaluator, FunctionSpec } from './spec.js';
