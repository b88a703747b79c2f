// Compiles a mapping configuration once: checks every target, expression and scoping clause, and fingerprints it.
import { createHash } from 'node:crypto';
import { mappingConfigSchema, type AttributeMapping, type MappingConfig, type ScopingFilter } from '../config/mapping-schema.js';
import { targetValue, type CompiledAttribute, type MappedValue } from './attribute.js';
import { compileExpression } from './compile-expression.js';
import { ExpressionSyntaxError } from './parser.js';
import { defaultGuestRule, guestRules, type GuestRule } from './guests.js';
import { compileClause, type CompiledClause, type CompiledFilter } from './scoping.js';
import { checkGroupTarget, checkUserTarget, type TargetCheck, type TargetType } from './targets.js';
import { EvaluationFailure } from './values.js';

export interface MappingProblem {
  path: string;
  message: string;
}

export class MappingConfigError extends Error {
  constructor(readonly problems: MappingProblem[]) {
    super(`the attribute mapping has ${problems.length} problem(s): ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'MappingConfigError';
  }
}

export interface CompiledMapping {
  /** sha256 hex of the mapping and scoping configuration; stored with the watermarks, a change re-evaluates everything. */
  readonly fingerprint: string;
  /** Entra attributes read by mappings and filters, for Graph $select (computed attributes left out). */
  readonly sourceAttributes: { user: string[]; group: string[] };
  /** Target paths used to match existing objects, in precedence order. */
  readonly matching: { user: string[]; group: string[] };
  /** GUEST_USERS: what `[userPrincipalName]` means for a B2B guest (guests.ts). */
  readonly guestUsers: GuestRule;
  /** A user attribute reads `appRoleAssignments`: the app's assignments must be read even when every user is in scope. */
  readonly readsAppRoles: boolean;
}

/**
 * A mapping as the configuration loader hands it over: the mapping file plus GUEST_USERS, which changes what
 * `[userPrincipalName]` reads for a guest and so belongs to the fingerprint (a change re-evaluates everyone).
 */
export type MappingInput = MappingConfig & { guestUsers?: GuestRule };

export interface CompiledObjectMapping {
  readonly attributes: readonly CompiledAttribute[];
  readonly filters: readonly CompiledFilter[];
}

/**
 * Attributes the engine computes instead of reading them from Graph (reference §3: IsSoftDeleted is "not stored on
 * user"); originalUserPrincipalName is the UPN as Graph holds it, before the guest rule (reference §10.1).
 */
export const computedUserAttributes = new Set(['IsSoftDeleted', 'appRoleAssignments', 'objectId', 'originalUserPrincipalName']);
export const computedGroupAttributes = new Set(['objectId']);
const userOnlyAttributes = new Set(['IsSoftDeleted', 'appRoleAssignments', 'originalUserPrincipalName']);
/** Read for every user whatever the mapping names: accountEnabled feeds IsSoftDeleted; the rest feed the guest rule. */
const alwaysReadUserAttributes = ['accountEnabled', 'mail', 'userPrincipalName', 'userType'];

const internals = new WeakMap<CompiledMapping, { user: CompiledObjectMapping; group: CompiledObjectMapping }>();

export function internalsOf(mapping: CompiledMapping): { user: CompiledObjectMapping; group: CompiledObjectMapping } {
  const found = internals.get(mapping);
  if (found === undefined) throw new TypeError('not a mapping returned by compileMapping');
  return found;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function constantValue(text: string, type: TargetType, target: string): { value: MappedValue } | { problem: string } {
  try {
    return { value: targetValue(text, type, target) };
  } catch (error) {
    return { problem: `"${text}" is not a valid ${type}: ${(error as EvaluationFailure).message}` };
  }
}

function compileAttribute(
  mapping: AttributeMapping,
  path: string,
  check: (target: string) => TargetCheck,
  userObject: boolean,
  problems: MappingProblem[],
): CompiledAttribute | undefined {
  const target = check(mapping.target);
  if (!target.ok) {
    problems.push({ path: `${path}.target`, message: target.message });
    return undefined;
  }
  const base = { target: mapping.target, type: target.type, createOnly: mapping.apply === 'create' };
  let defaultIfNull: MappedValue | undefined;
  if (mapping.defaultIfNull !== undefined) {
    const converted = constantValue(mapping.defaultIfNull, target.type, mapping.target);
    if ('problem' in converted) problems.push({ path: `${path}.defaultIfNull`, message: converted.problem });
    else defaultIfNull = converted.value ?? undefined;
  }
  const forbidden = (name: string) => !userObject && userOnlyAttributes.has(name);
  if (mapping.direct !== undefined) {
    const name = mapping.direct;
    if (forbidden(name)) problems.push({ path: `${path}.direct`, message: `${name} is computed for users only` });
    return { ...base, source: 'direct', sourceText: name, defaultIfNull, evaluate: (scope) => scope.read(name), attributes: [name], ignoreIfEmpty: false, redacted: false };
  }
  if (mapping.constant !== undefined) {
    const text = mapping.constant;
    const converted = constantValue(text, target.type, mapping.target);
    if ('problem' in converted) problems.push({ path: `${path}.constant`, message: converted.problem });
    return { ...base, source: 'constant', sourceText: text, defaultIfNull, evaluate: () => text, attributes: [], ignoreIfEmpty: false, redacted: false };
  }
  try {
    const expression = compileExpression(mapping.expression ?? '');
    const userOnly = expression.attributes.find(forbidden);
    if (userOnly !== undefined) problems.push({ path: `${path}.expression`, message: `[${userOnly}] is computed for users only` });
    return { ...base, source: 'expression', sourceText: mapping.expression ?? '', defaultIfNull, ...expression };
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    problems.push({ path: `${path}.expression`, message: error.message });
    return undefined;
  }
}

function compileObject(
  kind: 'user' | 'group',
  mappings: AttributeMapping[],
  filters: ScopingFilter[],
  problems: MappingProblem[],
): CompiledObjectMapping {
  const check = kind === 'user' ? checkUserTarget : checkGroupTarget;
  const seenTargets = new Map<string, number>();
  const seenPrecedence = new Map<number, number>();
  const attributes: CompiledAttribute[] = [];
  mappings.forEach((mapping, index) => {
    const path = `${kind}[${index}]`;
    const earlier = seenTargets.get(mapping.target);
    if (earlier !== undefined) problems.push({ path: `${path}.target`, message: `duplicate target "${mapping.target}" (also ${kind}[${earlier}])` });
    seenTargets.set(mapping.target, index);
    if (mapping.matchingPrecedence !== undefined) {
      const other = seenPrecedence.get(mapping.matchingPrecedence);
      if (other !== undefined) problems.push({ path: `${path}.matchingPrecedence`, message: `precedence ${mapping.matchingPrecedence} is also used by ${kind}[${other}]` });
      seenPrecedence.set(mapping.matchingPrecedence, index);
    }
    const compiled = compileAttribute(mapping, path, check, kind === 'user', problems);
    if (compiled !== undefined) attributes.push(compiled);
  });
  const computed = kind === 'user' ? computedUserAttributes : computedGroupAttributes;
  const compiledFilters: CompiledFilter[] = filters.map((filter, filterIndex) => {
    const clauses: CompiledClause[] = [];
    filter.clauses.forEach((clause, clauseIndex) => {
      const path = `scopingFilters.${kind}[${filterIndex}].clauses[${clauseIndex}]`;
      if (computed.has(clause.attribute) && clause.attribute !== 'objectId') {
        problems.push({ path: `${path}.attribute`, message: `${clause.attribute} cannot be used in a scoping filter (KNOWN, reference §1.2)` });
        return;
      }
      const compiled = compileClause(clause);
      if (typeof compiled === 'string') problems.push({ path: `${path}.value`, message: compiled });
      else clauses.push(compiled);
    });
    return { name: filter.name, clauses };
  });
  return { attributes, filters: compiledFilters };
}

function sourceAttributesOf(compiled: CompiledObjectMapping, computed: Set<string>, always: string[]): string[] {
  const names = new Set(always);
  for (const attribute of compiled.attributes) for (const name of attribute.attributes) names.add(name);
  for (const filter of compiled.filters) for (const clause of filter.clauses) names.add(clause.attribute);
  return [...names].filter((name) => !computed.has(name)).sort();
}

function matchingOf(mappings: AttributeMapping[]): string[] {
  return mappings
    .filter((mapping) => mapping.matchingPrecedence !== undefined)
    .sort((a, b) => (a.matchingPrecedence ?? 0) - (b.matchingPrecedence ?? 0))
    .map((mapping) => mapping.target);
}

function pathOf(segments: ReadonlyArray<PropertyKey>): string {
  return segments.reduce<string>((path, segment) => (typeof segment === 'number' ? `${path}[${segment}]` : path === '' ? String(segment) : `${path}.${String(segment)}`), '');
}

/** Parses every expression once; throws MappingConfigError listing every problem found. */
export function compileMapping(input: MappingInput): CompiledMapping {
  const { guestUsers = defaultGuestRule, ...config } = input;
  if (!guestRules.includes(guestUsers)) throw new MappingConfigError([{ path: 'guestUsers', message: `expected one of ${guestRules.join(', ')}` }]);
  const parsed = mappingConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new MappingConfigError(parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })));
  }
  const checked = parsed.data;
  const problems: MappingProblem[] = [];
  const user = compileObject('user', checked.user, checked.scopingFilters.user, problems);
  const group = compileObject('group', checked.group, checked.scopingFilters.group, problems);
  if (problems.length > 0) throw new MappingConfigError(problems);
  const mapping: CompiledMapping = {
    fingerprint: createHash('sha256').update(canonicalJson({ ...checked, guestUsers })).digest('hex'),
    sourceAttributes: { user: sourceAttributesOf(user, computedUserAttributes, alwaysReadUserAttributes), group: sourceAttributesOf(group, computedGroupAttributes, []) },
    matching: { user: matchingOf(checked.user), group: matchingOf(checked.group) },
    guestUsers,
    readsAppRoles: user.attributes.some((attribute) => attribute.attributes.includes('appRoleAssignments')),
  };
  internals.set(mapping, { user, group });
  return mapping;
}
