// Turns a parsed expression into a closure, checking function names, argument counts and constant arguments once.
import { isDateInterval } from './dates.js';
import { builtinFunctions, compareValues, regexFor, type Arguments, type Evaluator } from './functions/index.js';
import { ExpressionSyntaxError, parseExpression, type ExpressionNode } from './parser.js';

export interface CompiledExpression {
  readonly evaluate: Evaluator;
  /** Attribute names read, in order of first use. */
  readonly attributes: readonly string[];
  /** The outermost function is IgnoreFlowIfNullOrEmpty: a null or empty result leaves the target alone. */
  readonly ignoreIfEmpty: boolean;
  /** Redact appears somewhere: explain must not show the values. */
  readonly redacted: boolean;
}

interface CompileState {
  attributes: Set<string>;
  redacted: boolean;
}

function suggestion(name: string): string {
  const lower = name.toLowerCase();
  const match = [...builtinFunctions.keys()].find((known) => known.toLowerCase() === lower);
  return match === undefined ? '' : ` (names are case-sensitive: did you mean ${match}?)`;
}

/** Arguments written as constants are checked now, so a typo fails when the configuration loads, not per user. */
function checkConstantArguments(node: Extract<ExpressionNode, { kind: 'call' }>): void {
  const constant = (index: number) => {
    const argument = node.args[index];
    return argument?.kind === 'string' ? argument : undefined;
  };
  const interval = constant(0);
  if ((node.name === 'DateAdd' || node.name === 'DateDiff') && interval !== undefined && !isDateInterval(interval.value)) {
    throw new ExpressionSyntaxError(interval.position, `expected an interval (yyyy, m, d, ww, h, n or s) but found "${interval.value}"`);
  }
  const pattern = constant(2);
  if (node.name === 'Replace' && pattern !== undefined) {
    try {
      regexFor(pattern.value, '');
    } catch {
      throw new ExpressionSyntaxError(pattern.position, `expected a valid regular expression but found "${pattern.value}"`);
    }
  }
  const culture = constant(1);
  if ((node.name === 'ToLower' || node.name === 'ToUpper') && culture !== undefined && culture.value !== '') {
    try {
      Intl.getCanonicalLocales(culture.value);
    } catch {
      throw new ExpressionSyntaxError(culture.position, `expected a culture name such as en-US but found "${culture.value}"`);
    }
  }
}

function compileNode(node: ExpressionNode, state: CompileState, outermost: boolean): Evaluator {
  switch (node.kind) {
    case 'attribute': {
      const name = node.name;
      state.attributes.add(name);
      return (scope) => scope.read(name);
    }
    case 'string':
    case 'number': {
      const value = node.value;
      return () => value;
    }
    case 'compare': {
      const left = compileNode(node.left, state, false);
      const right = compileNode(node.right, state, false);
      const operator = node.operator;
      return (scope) => compareValues(operator, left(scope), right(scope));
    }
    case 'call': {
      const spec = builtinFunctions.get(node.name);
      if (spec === undefined) throw new ExpressionSyntaxError(node.position, `expected a known function but found ${node.name}${suggestion(node.name)}`);
      const count = node.args.length;
      if (count < spec.min || count > spec.max) {
        const wanted = spec.min === spec.max ? `${spec.min}` : spec.max === Number.POSITIVE_INFINITY ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
        throw new ExpressionSyntaxError(node.position, `expected ${wanted} arguments for ${node.name} but found ${count}`);
      }
      const countProblem = spec.countProblem?.(count);
      if (countProblem !== undefined) throw new ExpressionSyntaxError(node.position, `expected ${countProblem} but found ${count} arguments`);
      if (node.name === 'IgnoreFlowIfNullOrEmpty' && !outermost) {
        throw new ExpressionSyntaxError(node.position, 'expected IgnoreFlowIfNullOrEmpty only as the outermost function');
      }
      if (node.name === 'Redact') state.redacted = true;
      checkConstantArguments(node);
      const omittable = spec.omittable ?? ((index: number) => index >= spec.min);
      const args: Arguments = node.args.map((argument, index) => {
        if (argument !== null) return compileNode(argument, state, false);
        if (!omittable(index)) throw new ExpressionSyntaxError(node.position, `expected argument ${index + 1} of ${node.name} but found it empty`);
        return undefined;
      });
      const evaluate = spec.evaluate;
      return (scope) => evaluate(args, scope);
    }
  }
}

/** Parses and compiles; throws ExpressionSyntaxError with a 1-based position. */
export function compileExpression(text: string): CompiledExpression {
  const tree = parseExpression(text);
  const state: CompileState = { attributes: new Set(), redacted: false };
  const evaluate = compileNode(tree, state, true);
  return {
    evaluate,
    attributes: [...state.attributes],
    ignoreIfEmpty: tree.kind === 'call' && tree.name === 'IgnoreFlowIfNullOrEmpty',
    redacted: state.redacted,
  };
}
