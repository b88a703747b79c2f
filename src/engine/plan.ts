// The planner (pure): desired state against links → a guarded, ordered Plan. Shared by `sync` and `plan`.
import { guardDeprovisions, type GuardSettings } from './guard.js';
import type { GroupIndex, UserIndex } from './matching.js';
import type { DesiredGroup, DesiredUser, LinkView, Operation, Plan, RecordOperation } from './model.js';
import { planGroupChanges, type GroupPlanSettings } from './plan-groups.js';
import { groupsToLeaveOnReturn, membersAlreadyIn, memberStandings, planMembershipChanges, type MemberStanding } from './plan-memberships.js';
import { planUserChanges, type UserPlanSettings } from './plan-users.js';

export interface PlanInput {
  users: readonly DesiredUser[];
  groups: readonly DesiredGroup[];
  userLinks: ReadonlyMap<string, LinkView>;
  groupLinks: ReadonlyMap<string, LinkView>;
  /** Memberships Notion has from us, per group. */
  applied: ReadonlyMap<string, ReadonlySet<string>>;
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>;
  notion?: { users: UserIndex; groups: GroupIndex };
  /** A windowed cycle: users another window held (a staged or held deprovision, protected); their memberships stay. */
  held?: ReadonlySet<string>;
  settings: { user: UserPlanSettings; group: GroupPlanSettings; guard: GuardSettings; maxMembersPerPatch: number };
}

const upsertKinds = new Set(['create-user', 'adopt-user', 'update-user', 'enable-user', 'create-group', 'adopt-group', 'rename-group']);
const recordKinds = new Set(['skip', 'conflict', 'stage', 'unstage']);

export function planChanges(input: PlanInput): Plan {
  const objectChanges = [
    ...planGroupChanges(input.groups, input.groupLinks, input.settings.group, input.notion?.groups),
    ...planUserChanges(input.users, input.userLinks, input.settings.user, input.notion?.users),
  ];
  const guarded = guardDeprovisions(objectChanges, input.settings.guard);
  const activeUserLinks = new Set([...input.userLinks.values()].filter((l) => l.state === 'active' && l.notionId !== null).map((l) => l.sourceId));
  const standing = memberStandings(activeUserLinks, guarded.operations, input.held);
  const { operations, applied } = takeListedMembers([...guarded.operations, ...unstaged(input, guarded.operations)], input, standing);

  const activeGroups = new Map<string, string>();
  const retiringGroups = new Map<string, string>();
  const heldGroups = new Map<string, string>();
  for (const link of input.groupLinks.values()) {
    if (link.state === 'active' && link.notionId !== null) activeGroups.set(link.sourceId, typeof link.applied.displayName === 'string' ? link.applied.displayName : link.sourceId);
  }
  for (const op of operations) {
    if (op.kind === 'create-group' || op.kind === 'adopt-group' || op.kind === 'rename-group') activeGroups.set(op.sourceId, op.name);
    if (op.kind === 'delete-group' || op.kind === 'retire-group') {
      activeGroups.delete(op.sourceId);
      retiringGroups.set(op.sourceId, op.name);
    }
    if ((op.kind === 'skip' || op.kind === 'stage') && op.objectType === 'group') heldGroups.set(op.sourceId, op.name);
  }
  for (const id of heldGroups.keys()) activeGroups.delete(id);

  const planned = planMembershipChanges({
    activeGroups,
    retiringGroups,
    heldGroups,
    groupMembers: input.groupMembers,
    applied,
    standing,
    maxMembersPerPatch: input.settings.maxMembersPerPatch,
  });
  // A removal of a membership is a removal like a deprovision: an incomplete import or a held scope shrink holds every
  // one of them (the member lists read may be the partial ones). Removals for staged users wait through their standing.
  const memberships = input.settings.guard.hold === undefined ? planned : planned.filter((op) => op.kind !== 'remove-members');
  // A returning user's groups are read back after the re-enable: what Notion restored outside Entra's groups is removed.
  // Under a hold nothing is removed (the member lists read may be partial ones).
  const withChecks = operations.map((op) =>
    op.kind === 'enable-user' && input.settings.guard.hold === undefined ? { ...op, leaveGroups: groupsToLeaveOnReturn(op.sourceId, { activeGroups, retiringGroups, groupMembers: input.groupMembers }) } : op,
  );
  return {
    upserts: withChecks.filter((op) => upsertKinds.has(op.kind)),
    memberships,
    deprovisions: operations.filter((op) => op.kind === 'disable-user' || op.kind === 'delete-user'),
    groupRetirements: operations.filter((op) => op.kind === 'delete-group' || op.kind === 'retire-group'),
    records: operations.filter((op): op is RecordOperation => recordKinds.has(op.kind)),
    ...(input.settings.guard.hold === undefined ? {} : { deprovisionHold: input.settings.guard.hold }),
    ...(guarded.limit === undefined ? {} : { guard: { staged: guarded.staged, limit: guarded.limit } }),
  };
}

/** Adopted groups carry the members Notion lists already (membersAlreadyIn), and the plan takes them as applied. */
function takeListedMembers(
  operations: readonly Operation[], input: PlanInput, standing: (userSourceId: string) => MemberStanding,
): { operations: Operation[]; applied: ReadonlyMap<string, ReadonlySet<string>> } {
  if (!operations.some((op) => op.kind === 'adopt-group' && op.listedMembers !== undefined)) return { operations: [...operations], applied: input.applied };
  const sourceIds = new Map<string, string>();
  for (const link of input.userLinks.values()) if (link.state === 'active' && link.notionId !== null) sourceIds.set(link.notionId, link.sourceId);
  for (const op of operations) if (op.kind === 'adopt-user') sourceIds.set(op.notionId, op.sourceId);
  const applied = new Map(input.applied);
  const withMembers = operations.map((op): Operation => {
    if (op.kind !== 'adopt-group' || op.listedMembers === undefined) return op;
    const { listedMembers, ...rest } = op;
    const alreadyMembers = membersAlreadyIn(listedMembers, input.groupMembers.get(op.sourceId), (notionId) => sourceIds.get(notionId), standing);
    applied.set(op.sourceId, new Set([...(input.applied.get(op.sourceId) ?? []), ...alreadyMembers]));
    return alreadyMembers.length === 0 ? rest : { ...rest, alreadyMembers, reason: `${op.reason}; ${alreadyMembers.length} member(s) already in it` };
  });
  return { operations: withMembers, applied };
}

/** Staged deprovisions of evaluated objects that nothing deprovisions any more: the object came back. */
function unstaged(input: PlanInput, operations: readonly Operation[]): RecordOperation[] {
  const stillHeld = new Set(operations.filter((op) => ['disable-user', 'delete-user', 'delete-group', 'retire-group', 'stage', 'skip'].includes(op.kind)).map((op) => op.sourceId));
  const records: RecordOperation[] = [];
  const check = (objectType: 'user' | 'group', objects: ReadonlyArray<{ sourceId: string; name: string }>, links: ReadonlyMap<string, LinkView>) => {
    for (const object of objects) {
      if (links.get(object.sourceId)?.stagedAction && !stillHeld.has(object.sourceId)) {
        records.push({ kind: 'unstage', objectType, sourceId: object.sourceId, name: object.name, reason: 'staged deprovision no longer wanted' });
      }
    }
  };
  check('user', input.users, input.userLinks);
  check('group', input.groups, input.groupLinks);
  return records;
}
