// Evaluates a compiled mapping for one mirrored user or group: scope, soft-delete state and the SCIM attribute values.
// Never throws for any input shape: wrong attribute types become typed per-attribute errors.
import { evaluateAttribute, type CompiledAttribute, type MappedValue, type MappingError } from './attribute.js';
import { internalsOf, type CompiledMapping, type CompiledObjectMapping } from './compile.js';
import type { EvaluationScope } from './functions/index.js';
import { guestOutcome, type GuestOutcome } from './guests.js';
import { passesFilters } from './scoping.js';
import { valueFromRaw, type Value } from './values.js';

export interface MappingSourceUser {
  /** Entra object id. */
  id: string;
  /** Graph user properties as mirrored (userPrincipalName, displayName, accountEnabled, otherMails, ...). */
  attributes: Record<string, unknown>;
  /** In the app's assignment scope (directly or through a group, per settings). */
  assigned: boolean;
  /** Graph delta said `@removed` with reason `changed`. */
  softDeleted: boolean;
  appRoleAssignments: Array<{ appRoleId: string; value?: string | null; displayName?: string | null }>;
}

export interface MappingSourceGroup {
  id: string;
  attributes: Record<string, unknown>;
  assigned: boolean;
}

/** The clock and randomness, passed in: nothing inside reads them on its own. */
export interface EvaluationContext {
  now: Date;
  random: () => number;
}

export interface UserEvaluation {
  /** Assigned and passing the scoping filters (no filters → true). */
  inScope: boolean;
  /** Not assigned, out of scope, accountEnabled false or soft-deleted in Entra. */
  isSoftDeleted: boolean;
  /** Target path → value; null = empty (remove on update, omit on create); absent = leave the target alone. */
  attributes: Record<string, MappedValue>;
  /** Target paths to send on create only ("Only during object creation", or a default-if-null used). */
  createOnly: string[];
  errors: MappingError[];
  /** Set for a B2B guest: what GUEST_USERS made of its UPN, or why it is skipped. */
  guest?: GuestOutcome;
}

export interface GroupEvaluation {
  inScope: boolean;
  attributes: Record<string, MappedValue>;
  createOnly: string[];
  errors: MappingError[];
}

// The built-in "Default Access" role: assigned without a role, it carries no role value.
const defaultAccessRoleId = '00000000-0000-0000-0000-000000000000';

export function rawReader(attributes: unknown): (name: string) => unknown {
  if (attributes === null || typeof attributes !== 'object') return () => undefined;
  const record = attributes as Record<string, unknown>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

function roleValues(assignments: unknown): string[] {
  if (!Array.isArray(assignments)) return [];
  const roles: string[] = [];
  for (const assignment of assignments as unknown[]) {
    if (assignment === null || typeof assignment !== 'object') continue;
    const { appRoleId, value, displayName } = assignment as Record<string, unknown>;
    if (appRoleId === defaultAccessRoleId) continue;
    const role = typeof value === 'string' && value !== '' ? value : typeof displayName === 'string' && displayName !== '' ? displayName : undefined;
    if (role !== undefined) roles.push(role);
  }
  return roles;
}

function isDisabled(accountEnabled: unknown): boolean {
  return accountEnabled === false || (typeof accountEnabled === 'string' && accountEnabled.trim().toLowerCase() === 'false');
}

export interface ObjectFacts {
  readonly compiled: CompiledObjectMapping;
  readonly readRaw: (name: string) => unknown;
  readonly assigned: boolean;
  readonly inScope: boolean;
  readonly isSoftDeleted: boolean;
  readonly scope: EvaluationScope;
  readonly guest?: GuestOutcome;
}

function scopeFor(readRaw: (name: string) => unknown, computed: Record<string, Value>, context: EvaluationContext): EvaluationScope {
  return {
    read: (name) => (Object.hasOwn(computed, name) ? (computed[name] as Value) : valueFromRaw(readRaw(name), name)),
    now: context.now,
    random: context.random,
  };
}

export function userFacts(mapping: CompiledMapping, user: MappingSourceUser, context: EvaluationContext): ObjectFacts {
  const compiled = internalsOf(mapping).user;
  const readRaw = rawReader(user.attributes);
  const assigned = user.assigned === true;
  const passes = passesFilters(compiled.filters, readRaw);
  const isSoftDeleted = !assigned || !passes || isDisabled(readRaw('accountEnabled')) || user.softDeleted === true;
  const computed: Record<string, Value> = {
    IsSoftDeleted: isSoftDeleted,
    appRoleAssignments: roleValues(user.appRoleAssignments),
    objectId: typeof user.id === 'string' ? user.id : null,
  };
  const upn = readRaw('userPrincipalName');
  computed.originalUserPrincipalName = typeof upn === 'string' ? upn : null;
  const guest = guestOutcome(mapping.guestUsers, readRaw);
  // Mappings and expressions read the guest rule's value; scoping filters still see the UPN as Graph holds it.
  if (guest !== undefined) computed.userPrincipalName = guest.userPrincipalName;
  return { compiled, readRaw, assigned, inScope: assigned && passes, isSoftDeleted, scope: scopeFor(readRaw, computed, context), ...(guest ? { guest } : {}) };
}

export function groupFacts(mapping: CompiledMapping, group: MappingSourceGroup, context: EvaluationContext): ObjectFacts {
  const compiled = internalsOf(mapping).group;
  const readRaw = rawReader(group.attributes);
  const assigned = group.assigned === true;
  const inScope = assigned && passesFilters(compiled.filters, readRaw);
  const computed: Record<string, Value> = { objectId: typeof group.id === 'string' ? group.id : null };
  return { compiled, readRaw, assigned, inScope, isSoftDeleted: !inScope, scope: scopeFor(readRaw, computed, context) };
}

function mapAttributes(attributes: readonly CompiledAttribute[], scope: EvaluationScope): Omit<GroupEvaluation, 'inScope'> {
  const values: Record<string, MappedValue> = {};
  const createOnly: string[] = [];
  const errors: MappingError[] = [];
  for (const attribute of attributes) {
    const outcome = evaluateAttribute(attribute, scope);
    if (outcome.kind === 'error') errors.push(outcome.error);
    if (outcome.kind !== 'value') continue; // an error or IgnoreFlowIfNullOrEmpty leaves the target alone
    values[attribute.target] = outcome.value;
    if (attribute.createOnly || outcome.usedDefault) createOnly.push(attribute.target);
  }
  return { attributes: values, createOnly, errors };
}

export function evaluateUser(mapping: CompiledMapping, user: MappingSourceUser, context: EvaluationContext): UserEvaluation {
  const facts = userFacts(mapping, user, context);
  return { inScope: facts.inScope, isSoftDeleted: facts.isSoftDeleted, ...mapAttributes(facts.compiled.attributes, facts.scope), ...(facts.guest ? { guest: facts.guest } : {}) };
}

export function evaluateGroup(mapping: CompiledMapping, group: MappingSourceGroup, context: EvaluationContext): GroupEvaluation {
  const facts = groupFacts(mapping, group, context);
  return { inScope: facts.inScope, ...mapAttributes(facts.compiled.attributes, facts.scope) };
}
