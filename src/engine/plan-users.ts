// User planning (pure): desired users against their links (and Notion's listing for unlinked ones) → operations.
import { attributeChanges, syncedPaths } from './diff.js';
import { matchUser, type UserIndex } from './matching.js';
import type { DesiredUser, LinkView, Operation } from './model.js';
import { observedAttributes } from './observed.js';

export interface UserPlanSettings {
  deprovisionAction: 'disable' | 'delete' | 'none';
  hardDeleteAction: 'delete' | 'disable' | 'none';
  /** Lower-cased userNames never changed or removed. */
  protectedUserNames: ReadonlySet<string>;
  /** Matching paths of the mapping, in precedence order. */
  matchingPaths: readonly string[];
}

const liveStates = new Set(['active', 'disabled', 'deleted']);

function isProtected(settings: UserPlanSettings, ...names: unknown[]): boolean {
  return names.some((name) => typeof name === 'string' && settings.protectedUserNames.has(name.toLowerCase()));
}

const reasonOf: Record<DesiredUser['lifecycle'], string> = {
  active: 'in scope',
  disabled: 'accountEnabled is false in Entra',
  'soft-deleted': 'soft-deleted in Entra',
  'out-of-scope': 'unassigned or out of scope',
  'hard-deleted': 'deleted in Entra',
};

const notedKinds = new Set(['create-user', 'adopt-user', 'update-user', 'enable-user']);

/** Plans one user; `index` is Notion's listing when one was read this cycle. */
export function planUser(desired: DesiredUser, link: LinkView | undefined, settings: UserPlanSettings, index: UserIndex | undefined): Operation[] {
  const operations = planUserOperations(desired, link, settings, index);
  // h1 (issue 13, guests): a guest's writes say which UPN became which userName, for `plan` and the log.
  const note = desired.guestNote;
  return note === undefined ? operations : operations.map((op) => (notedKinds.has(op.kind) && 'reason' in op ? { ...op, reason: `${op.reason}; ${note}` } : op));
}

function planUserOperations(desired: DesiredUser, link: LinkView | undefined, settings: UserPlanSettings, index: UserIndex | undefined): Operation[] {
  const base = { sourceId: desired.sourceId, name: desired.name, reason: reasonOf[desired.lifecycle] };
  const linked = link !== undefined && link.notionId !== null && liveStates.has(link.state);
  if (isProtected(settings, desired.attributes.userName, link?.applied.userName)) {
    return [{ kind: 'skip', objectType: 'user', ...base, reason: 'protected user: never changed or removed' }];
  }
  // h1 (issue 13, guests): a guest skipped by GUEST_USERS or without a usable userName is logged, never written.
  if (desired.hold !== undefined && desired.lifecycle === 'active') return [{ kind: desired.hold.kind, objectType: 'user', ...base, reason: desired.hold.reason }];
  if (desired.lifecycle === 'active') {
    if (!linked) return planUnlinkedUser(desired, settings, index);
    const changes = attributeChanges(link.applied, desired.attributes, desired.createOnly);
    if (link.state === 'active') {
      return changes.patch.length === 0 ? [] : [{ kind: 'update-user', ...base, reason: 'attributes changed in Entra', notionId: link.notionId as string, attributes: desired.attributes, ...changes }];
    }
    return [{ kind: 'enable-user', ...base, reason: `back in scope (was ${link.state})`, notionId: link.notionId, attributes: desired.attributes, ...changes }];
  }
  if (!linked || link.state !== 'active') {
    // Already disabled or deleted: Entra stops managing a disabled user; only a hard delete still deletes it.
    const deleteNow = linked && link.state === 'disabled' && desired.lifecycle === 'hard-deleted' && settings.hardDeleteAction === 'delete';
    return deleteNow ? [{ kind: 'delete-user', ...base, notionId: link.notionId as string }] : [];
  }
  const notionId = link.notionId as string;
  const action =
    desired.lifecycle === 'hard-deleted' ? settings.hardDeleteAction : desired.lifecycle === 'out-of-scope' ? settings.deprovisionAction : 'disable';
  if (action === 'none') return [{ kind: 'skip', objectType: 'user', ...base, reason: `${base.reason}; configured to leave it as it is` }];
  return [action === 'delete' ? { kind: 'delete-user', ...base, notionId } : { kind: 'disable-user', ...base, notionId }];
}

function planUnlinkedUser(desired: DesiredUser, settings: UserPlanSettings, index: UserIndex | undefined): Operation[] {
  const base = { sourceId: desired.sourceId, name: desired.name };
  if (typeof desired.attributes.userName !== 'string' || desired.attributes.userName === '') {
    const why = desired.mappingErrors.length > 0 ? desired.mappingErrors.join('; ') : 'no userName was mapped';
    return [{ kind: 'conflict', objectType: 'user', ...base, reason: `cannot create: ${why}` }];
  }
  const match = index ? matchUser(index, settings.matchingPaths, desired.attributes) : { kind: 'unknown' as const };
  switch (match.kind) {
    case 'found': {
      const user = match.resource;
      if (isProtected(settings, user.userName)) return [{ kind: 'skip', objectType: 'user', ...base, reason: `matches protected user ${user.userName}: never changed` }];
      const observed = observedAttributes(user, syncedPaths(desired.attributes, desired.createOnly), desired.attributes);
      const changes = attributeChanges(observed, desired.attributes, desired.createOnly);
      return [{ kind: 'adopt-user', ...base, reason: `matched existing Notion user ${user.userName}`, notionId: user.id, observed, attributes: desired.attributes, ...changes }];
    }
    case 'conflict':
      return [{ kind: 'conflict', objectType: 'user', ...base, reason: match.reason }];
    case 'none':
    case 'unknown':
      return [{ kind: 'create-user', ...base, reason: 'in scope, not in Notion', attributes: desired.attributes, lookupFirst: match.kind === 'unknown' }];
  }
}

/** Plans every evaluated user; links may be missing for new users. */
export function planUserChanges(
  desired: readonly DesiredUser[],
  links: ReadonlyMap<string, LinkView>,
  settings: UserPlanSettings,
  index: UserIndex | undefined,
): Operation[] {
  return desired.flatMap((user) => planUser(user, links.get(user.sourceId), settings, index));
}
