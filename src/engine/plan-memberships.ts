// Membership planning (pure): Notion groups cannot nest, so each group's members are the in-scope users Entra puts in
// it, restricted to users who will be active members after this cycle; changes go in batches.
import type { MembershipOperation, Operation } from './model.js';

/** A user's standing after this cycle's user operations. */
export type MemberStanding =
  /** Active in Notion through us: belongs in its groups. */
  | 'eligible'
  /** Being disabled or deleted: Notion drops its memberships itself (reference notion-scim §3.1). */
  | 'leaving'
  /** A deprovision is held or the user is protected: its memberships stay as they are. */
  | 'held'
  | 'absent';

export interface MembershipPlanInput {
  /** Groups that will be linked and active after the upsert phase, with their display names. */
  activeGroups: ReadonlyMap<string, string>;
  /** Groups leaving scope whose removal is applied this cycle: all our members are removed. */
  retiringGroups: ReadonlyMap<string, string>;
  /** Entra's in-scope user members per in-scope group. */
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>;
  applied: ReadonlyMap<string, ReadonlySet<string>>;
  standing: (userSourceId: string) => MemberStanding;
  maxMembersPerPatch: number;
}

function batches(kind: MembershipOperation['kind'], groupId: string, name: string, reason: string, ids: string[], size: number): MembershipOperation[] {
  const sorted = [...ids].sort();
  const operations: MembershipOperation[] = [];
  for (let i = 0; i < sorted.length; i += size) operations.push({ kind, sourceId: groupId, name, reason, userSourceIds: sorted.slice(i, i + size) });
  return operations;
}

/** Removals first (all groups), then adds. */
export function planMembershipChanges(input: MembershipPlanInput): MembershipOperation[] {
  const removals: MembershipOperation[] = [];
  const adds: MembershipOperation[] = [];
  for (const [groupId, name] of input.activeGroups) {
    const applied = input.applied.get(groupId) ?? new Set<string>();
    const want = new Set<string>();
    for (const userId of input.groupMembers.get(groupId) ?? []) if (input.standing(userId) === 'eligible') want.add(userId);
    for (const userId of applied) if (input.standing(userId) === 'held') want.add(userId);
    const add = [...want].filter((id) => !applied.has(id));
    const remove = [...applied].filter((id) => !want.has(id) && input.standing(id) !== 'leaving');
    removals.push(...batches('remove-members', groupId, name, 'no longer a member in Entra', remove, input.maxMembersPerPatch));
    adds.push(...batches('add-members', groupId, name, 'member in Entra', add, input.maxMembersPerPatch));
  }
  for (const [groupId, name] of input.retiringGroups) {
    const remove = [...(input.applied.get(groupId) ?? [])].filter((id) => input.standing(id) !== 'leaving');
    removals.push(...batches('remove-members', groupId, name, 'the group left scope', remove, input.maxMembersPerPatch));
  }
  return [...removals, ...adds];
}

/** Standing of each user from its link state and the (guarded) user operations of this cycle. */
export function memberStandings(activeLinks: ReadonlySet<string>, operations: readonly Operation[]): (userSourceId: string) => MemberStanding {
  const standing = new Map<string, MemberStanding>();
  for (const op of operations) {
    if ('objectType' in op ? op.objectType !== 'user' : !op.kind.endsWith('-user')) continue;
    switch (op.kind) {
      case 'create-user':
      case 'adopt-user':
      case 'enable-user':
        standing.set(op.sourceId, 'eligible');
        break;
      case 'disable-user':
      case 'delete-user':
        standing.set(op.sourceId, 'leaving');
        break;
      case 'skip':
      case 'stage':
        if (activeLinks.has(op.sourceId)) standing.set(op.sourceId, 'held');
        break;
      default:
        break;
    }
  }
  return (id) => standing.get(id) ?? (activeLinks.has(id) ? 'eligible' : 'absent');
}
