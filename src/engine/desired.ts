// Desired state (pure): what each mirrored Entra user and group should be in Notion, from scope and the mapping.
import type { Scope } from '../entra/index.js';
import { carriesExternalMarker, evaluateGroup, evaluateUser, type CompiledMapping, type EvaluationContext, type GuestOutcome } from '../mapping/index.js';
import type { ScimAttributes } from '../scim/index.js';
import type { SourceAssignmentRow, SourceGroupRow, SourceUserRow } from '../store/index.js';
import type { DesiredGroup, DesiredUser, UserLifecycle } from './model.js';

export interface DesiredUserInput {
  mapping: CompiledMapping;
  scope: Scope;
  /** App role assignments by principal id (users and groups). */
  assignmentsByPrincipal: Map<string, SourceAssignmentRow[]>;
  /** In-scope groups of each user, for the roles assigned through a group. */
  groupsOfUser: Map<string, string[]>;
  context: EvaluationContext;
}

function isDisabled(accountEnabled: unknown): boolean {
  return accountEnabled === false || (typeof accountEnabled === 'string' && accountEnabled.trim().toLowerCase() === 'false');
}

/** Entra's rows (reference entra-provisioning §1.4): which one applies to this user. */
function userLifecycle(row: SourceUserRow, inScope: boolean): UserLifecycle {
  if (row.removedReason === 'deleted') return 'hard-deleted';
  if (row.removedReason === 'changed') return 'soft-deleted';
  if (!inScope) return 'out-of-scope';
  if (isDisabled(row.attributes.accountEnabled)) return 'disabled';
  return 'active';
}

export function desiredUser(row: SourceUserRow, input: DesiredUserInput): DesiredUser {
  const assigned = input.scope.userIds.has(row.id);
  const roles = [row.id, ...(input.groupsOfUser.get(row.id) ?? [])].flatMap((id) => input.assignmentsByPrincipal.get(id) ?? []);
  const evaluation = evaluateUser(
    input.mapping,
    {
      id: row.id,
      attributes: row.attributes,
      assigned,
      softDeleted: row.removedReason === 'changed',
      appRoleAssignments: roles.map((r) => ({ appRoleId: r.appRoleId, displayName: r.principalDisplayName })),
    },
    input.context,
  );
  const lifecycle = userLifecycle(row, evaluation.inScope);
  const attributes: ScimAttributes = { ...evaluation.attributes };
  // The mapped `active` decides, as at Entra; without such a mapping the lifecycle does (a disable is always active=false).
  attributes.active = lifecycle === 'active' ? (typeof attributes.active === 'boolean' ? attributes.active : true) : false;
  const userName = attributes.userName;
  const hold = guestHold(evaluation.guest, userName);
  return {
    sourceId: row.id,
    lifecycle: lifecycle === 'active' && attributes.active === false ? 'disabled' : lifecycle,
    attributes,
    createOnly: evaluation.createOnly,
    name: typeof userName === 'string' && userName !== '' ? userName : (evaluation.guest?.originalUserPrincipalName ?? row.id),
    mappingErrors: evaluation.errors.map((e) => `${e.target}: ${e.message}`),
    ...(hold ? { hold } : {}),
    ...(evaluation.guest && !hold ? { guestNote: `B2B guest ${evaluation.guest.originalUserPrincipalName ?? ''} sent as ${String(userName)} (GUEST_USERS=${evaluation.guest.rule})` } : {}),
  };
}

/**
 * A guest skipped by GUEST_USERS, or one whose userName would be empty or still carry `#EXT#`, is never written:
 * Notion would get an account named `alias_theirdomain#EXT#@tenant.onmicrosoft.com` that nobody can sign in as
 * (reference entra-provisioning §10.1). Any userName carrying `#EXT#` is stopped, guest or not (a mapping of
 * originalUserPrincipalName).
 */
function guestHold(guest: GuestOutcome | undefined, userName: unknown): DesiredUser['hold'] {
  if (guest?.skipped !== undefined) return { kind: 'skip', reason: guest.skipped };
  if (carriesExternalMarker(userName)) {
    return { kind: 'conflict', reason: `cannot provision: userName "${String(userName)}" still carries #EXT# (a guest's UPN as Entra holds it); set GUEST_USERS=map-upn, map-mail or skip, or map another source` };
  }
  if (guest !== undefined && (typeof userName !== 'string' || userName.trim() === '')) {
    const why = guest.rule === 'map-mail' ? 'the guest has no mail (GUEST_USERS=map-mail)' : `the guest's UPN "${guest.originalUserPrincipalName ?? ''}" gives no userName`;
    return { kind: 'conflict', reason: `cannot provision: ${why}` };
  }
  return undefined;
}

export function desiredGroup(row: SourceGroupRow, mapping: CompiledMapping, scope: Scope, context: EvaluationContext): DesiredGroup {
  const evaluation = evaluateGroup(mapping, { id: row.id, attributes: row.attributes, assigned: scope.groupIds.has(row.id) }, context);
  const lifecycle = row.removedReason !== null ? 'deleted' : evaluation.inScope ? 'active' : 'out-of-scope';
  const displayName = evaluation.attributes.displayName;
  return { sourceId: row.id, lifecycle, attributes: { ...evaluation.attributes }, name: typeof displayName === 'string' ? displayName : row.id };
}
