// Membership planning (pure): Notion groups cannot nest, so each group's members are the in-scope users Entra puts in
// it, restricted to users who will be active members after this cycle; changes go in batches.
import { objectTypeOf, type MembershipOperation, type Operation } from './model.js';

/** A user's standing after this cycle's user operations. */
export type MemberStanding =
  /** Active in Notion through us: belongs in its groups. */
  | 'eligible'
  /**
   * Being disabled or deleted: removed from every group we manage before the deprovision is sent, whatever Notion
   * does with a removed member's groups (it may keep, drop or later restore them: reference notion-scim.md §3.6).
   */
  | 'leaving'
  /** A deprovision is held or the user is protected: its memberships stay as they are. */
  | 'held'
  | 'absent';

export interface MembershipPlanInput {
  /** Groups that will be linked and active after the upsert phase, with their display names. */
  activeGroups: ReadonlyMap<string, string>;
  /** Groups leaving scope whose removal is applied this cycle: our members are removed, but for the held. */
  retiringGroups: ReadonlyMap<string, string>;
  /** Linked groups whose own deprovision is held: no membership changes, except that leaving users are taken out. */
  heldGroups: ReadonlyMap<string, string>;
  /** Entra's in-scope user members per in-scope group. */
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>;
  applied: ReadonlyMap<string, ReadonlySet<string>>;
  standing: (userSourceId: string) => MemberStanding;
  maxMembersPerPatch: number;
}

function batches(kind: MembershipOperation['kind'], groupId: string, name: string, reason: string, ids: string[], size: number, offboarding = false): MembershipOperation[] {
  const sorted = [...ids].sort();
  const operations: MembershipOperation[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const userSourceIds = sorted.slice(i, i + size);
    operations.push(offboarding ? { kind: 'remove-members', sourceId: groupId, name, reason, userSourceIds, offboarding: true } : { kind, sourceId: groupId, name, reason, userSourceIds });
  }
  return operations;
}

/**
 * The leaving users' removals first (apply.ts sends them before the deprovisions), then the other removals (all
 * groups), then adds.
 */
export function planMembershipChanges(input: MembershipPlanInput): MembershipOperation[] {
  const offboarding: MembershipOperation[] = [];
  const removals: MembershipOperation[] = [];
  const adds: MembershipOperation[] = [];
  const leavingOf = (groupId: string) => [...(input.applied.get(groupId) ?? [])].filter((id) => input.standing(id) === 'leaving');
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
    // Emptied of everyone but the leaving (taken out first, below) and the held: a user whose deprovision is staged
    // (or who is protected) keeps the group's access until it is decided, as in the groups still in scope.
    const remove = [...(input.applied.get(groupId) ?? [])].filter((id) => input.standing(id) !== 'leaving' && input.standing(id) !== 'held');
    removals.push(...batches('remove-members', groupId, name, 'the group left scope', remove, input.maxMembersPerPatch));
  }
  for (const [groupId, name] of [...input.activeGroups, ...input.retiringGroups, ...input.heldGroups]) {
    const leaving = leavingOf(groupId);
    offboarding.push(...batches('remove-members', groupId, name, 'the user is leaving: removed from the group before the deprovision', leaving, input.maxMembersPerPatch, true));
  }
  return [...offboarding, ...removals, ...adds];
}

/**
 * The members of an adopted group that Notion lists already and Entra wants there (eligible users of Entra's group):
 * taken as applied, recorded with the link rather than added again (a PATCH saved per batch). A listed member Entra
 * does not want is left as it is: adoption removes nothing that was there before us.
 */
export function membersAlreadyIn(
  listedMembers: readonly string[], wanted: ReadonlySet<string> | undefined, sourceIdOf: (notionId: string) => string | undefined, standing: (userSourceId: string) => MemberStanding,
): string[] {
  const present = new Set<string>();
  for (const notionId of listedMembers) {
    const userId = sourceIdOf(notionId);
    if (userId !== undefined && wanted?.has(userId) && standing(userId) === 'eligible') present.add(userId);
  }
  return [...present].sort();
}

/**
 * Standing of each user from its link state and the (guarded) user operations of this cycle; `held`: users a window
 * planned earlier in a windowed cycle held (windowed-cycle.ts), which this plan does not evaluate.
 */
export function memberStandings(activeLinks: ReadonlySet<string>, operations: readonly Operation[], held: ReadonlySet<string> = new Set()): (userSourceId: string) => MemberStanding {
  const standing = new Map<string, MemberStanding>();
  for (const id of held) if (activeLinks.has(id)) standing.set(id, 'held');
  for (const op of operations) {
    if (objectTypeOf(op) !== 'user') continue;
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

/**
 * The groups a re-enabled user must not be in: every group we manage this cycle (held groups aside) that Entra does
 * not put them in. After the re-enable, a membership Notion shows in one of these was restored by Notion
 * (reference notion-scim.md §3.6) or left from before, and is removed (restored-memberships.ts).
 */
export function groupsToLeaveOnReturn(userSourceId: string, input: Pick<MembershipPlanInput, 'activeGroups' | 'retiringGroups' | 'groupMembers'>): string[] {
  const notInEntra = [...input.activeGroups.keys()].filter((groupId) => !input.groupMembers.get(groupId)?.has(userSourceId));
  return [...notInEntra, ...input.retiringGroups.keys()].sort();
}
