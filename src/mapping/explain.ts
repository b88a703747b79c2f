// Explains one evaluation for `plan` and `provision`: every scoping clause with its verdict, every attribute with
// its source values, expression and result or error. Mappings that use Redact show "[Redact]" instead of values.
import { evaluateAttribute, type MappedValue, type MappingError } from './attribute.js';
import type { CompiledMapping } from './compile.js';
import { formatEntraDate } from './dates.js';
import { groupFacts, userFacts, type EvaluationContext, type MappingSourceGroup, type MappingSourceUser, type ObjectFacts } from './evaluate.js';
import type { GuestOutcome } from './guests.js';
import { evaluateClause } from './scoping.js';
import type { ScopingOperator } from '../config/mapping-schema.js';
import { EvaluationFailure, type Value } from './values.js';

export type ExplainedValue = string | number | boolean | null | string[];

export interface ClauseExplanation {
  attribute: string;
  operator: ScopingOperator;
  value: string | undefined;
  actual: ExplainedValue;
  passed: boolean;
  /** Why a clause failed without comparing: null/empty value, multi-valued or unreadable attribute. */
  reason?: string;
}

export interface FilterExplanation {
  name: string | undefined;
  passed: boolean;
  clauses: ClauseExplanation[];
}

export interface AttributeExplanation {
  target: string;
  source: 'direct' | 'constant' | 'expression';
  /** The attribute name, constant or expression as configured. */
  expression: string;
  createOnly: boolean;
  /** Each attribute the mapping reads, with its mirrored value. */
  sourceValues: Record<string, ExplainedValue>;
  /** value: mapped; default: the default-if-null was used (create only); ignored: IgnoreFlowIfNullOrEmpty dropped it. */
  outcome: 'value' | 'default' | 'ignored' | 'error';
  result?: MappedValue;
  error?: MappingError;
}

export interface Explanation {
  objectType: 'user' | 'group';
  id: string;
  assigned: boolean;
  inScope: boolean;
  /** Users only: the computed [IsSoftDeleted]. */
  isSoftDeleted?: boolean;
  /** Users only, B2B guests: what GUEST_USERS made of the UPN, or why the guest is skipped. */
  guest?: GuestOutcome;
  /** Empty when no scoping filter is configured (everything assigned is in scope). */
  scopingFilters: FilterExplanation[];
  attributes: AttributeExplanation[];
}

const redactedText = '[Redact]';

function explained(value: Value): ExplainedValue {
  if (value instanceof Date) return formatEntraDate(value);
  return Array.isArray(value) ? [...(value as readonly string[])] : (value as Exclude<Value, Date | readonly string[]>);
}

function sourceValue(facts: ObjectFacts, name: string): ExplainedValue {
  try {
    return explained(facts.scope.read(name));
  } catch (error) {
    return `<unreadable: ${(error as EvaluationFailure).message}>`;
  }
}

function explainObject(objectType: 'user' | 'group', id: string, facts: ObjectFacts): Explanation {
  const scopingFilters = facts.compiled.filters.map((filter) => {
    const clauses = filter.clauses.map((clause) => {
      const verdict = evaluateClause(clause, facts.readRaw(clause.attribute));
      return { ...verdict, actual: explained(verdict.actual) };
    });
    return { name: filter.name, passed: clauses.every((clause) => clause.passed), clauses };
  });
  const attributes = facts.compiled.attributes.map((attribute): AttributeExplanation => {
    const outcome = evaluateAttribute(attribute, facts.scope);
    const sourceValues: Record<string, ExplainedValue> = {};
    for (const name of attribute.attributes) sourceValues[name] = attribute.redacted ? redactedText : sourceValue(facts, name);
    const base = { target: attribute.target, source: attribute.source, expression: attribute.sourceText, createOnly: attribute.createOnly, sourceValues };
    if (outcome.kind === 'error') return { ...base, outcome: 'error', error: outcome.error };
    if (outcome.kind === 'ignored') return { ...base, outcome: 'ignored' };
    return {
      ...base,
      createOnly: attribute.createOnly || outcome.usedDefault,
      outcome: outcome.usedDefault ? 'default' : 'value',
      result: attribute.redacted && outcome.value !== null ? redactedText : outcome.value,
    };
  });
  return { objectType, id, assigned: facts.assigned, inScope: facts.inScope, scopingFilters, attributes };
}

export function explainUser(mapping: CompiledMapping, user: MappingSourceUser, context: EvaluationContext): Explanation {
  const facts = userFacts(mapping, user, context);
  return { ...explainObject('user', user.id, facts), isSoftDeleted: facts.isSoftDeleted, ...(facts.guest ? { guest: facts.guest } : {}) };
}

export function explainGroup(mapping: CompiledMapping, group: MappingSourceGroup, context: EvaluationContext): Explanation {
  return explainObject('group', group.id, groupFacts(mapping, group, context));
}
