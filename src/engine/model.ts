// The engine's data: desired objects (from the mirror and the mapping), link views, and the typed operations of a plan.
import type { ScimAttributes, ScimPatchOperation } from '../scim/index.js';
import type { LinkHolder, LinkState } from '../store/index.js';

/** Why a user should be where it should: the row of "Semantics to keep" (ARCHITECTURE.md) that applies. */
export type UserLifecycle = 'active' | 'disabled' | 'soft-deleted' | 'out-of-scope' | 'hard-deleted';
export type GroupLifecycle = 'active' | 'out-of-scope' | 'deleted';

export interface DesiredUser {
  sourceId: string;
  lifecycle: UserLifecycle;
  /** Mapped flat SCIM attributes (null = clear); `active` is always present. */
  attributes: ScimAttributes;
  /** Paths sent on create only. */
  createOnly: string[];
  /** userName (or the Entra id when unmapped), for logs and plans. */
  name: string;
  mappingErrors: string[];
  /** A B2B guest that must not be written while in scope: skipped by GUEST_USERS, or no usable userName (desired.ts). */
  hold?: { kind: 'skip' | 'conflict'; reason: string };
  /** A B2B guest mapped by GUEST_USERS: which UPN became which userName, shown with its operations in `plan`. */
  guestNote?: string;
}

export interface DesiredGroup {
  sourceId: string;
  lifecycle: GroupLifecycle;
  attributes: ScimAttributes;
  name: string;
}

/** What the engine knows of one link while planning: the store row, possibly corrected by what Notion showed. */
export interface LinkView {
  sourceId: string;
  notionId: string | null;
  state: LinkState;
  applied: ScimAttributes;
  stagedAction: string | null;
  attempts: number;
  /** Groups only: when the group left scope; set while it is kept emptied in Notion (plan-groups.ts). */
  retiringSince?: Date | null;
}

/** The states in which a link holds its Notion object as ours: matching never gives that object to another. */
export const liveLinkStates: readonly LinkState[] = ['active', 'disabled', 'deleted'];
export const isLiveLink = (link: LinkView | undefined): boolean => link !== undefined && link.notionId !== null && liveLinkStates.includes(link.state);

/** Another object's link as a holder of its Notion id: its id and state, no attributes (nothing is planned for it). */
export const viewOfHolder = (holder: LinkHolder): LinkView => ({
  sourceId: holder.sourceId, notionId: holder.notionId, state: holder.state as LinkState, applied: {}, stagedAction: null, attempts: 0,
});

export type DeprovisionAction = 'disable' | 'delete';

export interface ModifiedProperty {
  path: string;
  old: unknown;
  new: unknown;
}

interface OperationBase {
  sourceId: string;
  name: string;
  reason: string;
}

export type UserOperation =
  /** POST; `lookupFirst` when no complete listing answered whether the user exists. */
  | (OperationBase & { kind: 'create-user'; attributes: ScimAttributes; lookupFirst: boolean })
  /** Link an existing Notion user found by matching, then PATCH what differs. */
  | (OperationBase & { kind: 'adopt-user'; notionId: string; observed: ScimAttributes; attributes: ScimAttributes; patch: ScimPatchOperation[]; modified: ModifiedProperty[] })
  | (OperationBase & { kind: 'update-user'; notionId: string; attributes: ScimAttributes; patch: ScimPatchOperation[]; modified: ModifiedProperty[] })
  /**
   * PATCH active=true (+ what else differs), confirmed by a GET; POST again when Notion forgot the member. Then the
   * user's groups are read back and removed from `leaveGroups` (Entra ids of managed groups Entra does not put the
   * user in): Notion may have given a returning member their old groups back (reference notion-scim §3.6).
   */
  | (OperationBase & { kind: 'enable-user'; notionId: string | null; attributes: ScimAttributes; patch: ScimPatchOperation[]; modified: ModifiedProperty[]; leaveGroups?: string[] })
  | (OperationBase & { kind: 'disable-user'; notionId: string })
  | (OperationBase & { kind: 'delete-user'; notionId: string });

export type GroupOperation =
  /** POST; `firstMembers`: user source ids to send in the POST when the target takes members on create (apply.ts sets it). */
  | (OperationBase & { kind: 'create-group'; attributes: ScimAttributes; lookupFirst: boolean; firstMembers?: string[] })
  /**
   * Links a Notion group found by name. `listedMembers`: the Notion ids its listing shows (absent when the listing carries
   * no members); the planner turns them into `alreadyMembers`, the Entra users it wants there that Notion lists already:
   * recorded as applied with the link instead of added again.
   */
  | (OperationBase & {
    kind: 'adopt-group'; notionId: string; attributes: ScimAttributes; patch: ScimPatchOperation[]; modified: ModifiedProperty[];
    listedMembers?: readonly string[]; alreadyMembers?: string[];
  })
  | (OperationBase & { kind: 'rename-group'; notionId: string; attributes: ScimAttributes; patch: ScimPatchOperation[]; modified: ModifiedProperty[] })
  /**
   * The group left scope: its members were removed in the membership phase. delete-group: DELETE it (at once when the
   * grace period is 0, else when it is over). retire-group: keep it emptied and linked, from now (plan-groups.ts).
   */
  | (OperationBase & { kind: 'delete-group'; notionId: string })
  | (OperationBase & { kind: 'retire-group'; notionId: string });

export type MembershipOperation =
  | { kind: 'add-members'; sourceId: string; name: string; reason: string; userSourceIds: string[] }
  /** `offboarding`: the users are leaving (disabled or deleted this cycle); sent before the deprovisions (apply.ts). */
  | { kind: 'remove-members'; sourceId: string; name: string; reason: string; userSourceIds: string[]; offboarding?: true };

export type RecordOperation =
  /** Log only: nothing to send (protected user, deprovision held, action `none`). */
  | { kind: 'skip'; objectType: 'user' | 'group'; sourceId: string; name: string; reason: string }
  /** Matching found two candidates, or the only one is taken: escrowed, never a create. */
  | { kind: 'conflict'; objectType: 'user' | 'group'; sourceId: string; name: string; reason: string }
  /** A deprovision held by the deletion guard until `approve` or `--force-deletes`. */
  | { kind: 'stage'; objectType: 'user' | 'group'; sourceId: string; name: string; reason: string; action: DeprovisionAction }
  /** A staged deprovision that is no longer wanted (the object came back into scope). */
  | { kind: 'unstage'; objectType: 'user' | 'group'; sourceId: string; name: string; reason: string };

export type Operation = UserOperation | GroupOperation | MembershipOperation | RecordOperation;
export type OperationKind = Operation['kind'];

/** The provisioning-log action of each operation kind. */
export const logActionOf: Record<OperationKind, string> = {
  'create-user': 'create',
  'adopt-user': 'link',
  'update-user': 'update',
  'enable-user': 'enable',
  'disable-user': 'disable',
  'delete-user': 'delete',
  'create-group': 'create',
  'adopt-group': 'link',
  'rename-group': 'update',
  'delete-group': 'delete',
  'retire-group': 'disable',
  'add-members': 'add-members',
  'remove-members': 'remove-members',
  skip: 'skip',
  conflict: 'create',
  stage: 'staged-delete',
  unstage: 'skip',
};

export const objectTypeOf = (operation: Operation): 'user' | 'group' =>
  'objectType' in operation ? operation.objectType : operation.kind.endsWith('-user') ? 'user' : 'group';

/** The plan: operations in the order they run, by phase (ARCHITECTURE.md "One cycle", step 4). */
export interface Plan {
  /** Group creates/renames and user creates/updates/enables. */
  upserts: Operation[];
  /** The leaving users' member removals (`offboarding`), the other removals, then adds. */
  memberships: MembershipOperation[];
  /** User disables and deletes. */
  deprovisions: Operation[];
  /** Group deletes. */
  groupRetirements: Operation[];
  /** Log-only entries (skips, conflicts, staged deletes). */
  records: RecordOperation[];
  /** Why deprovisioning is held this cycle, if it is. */
  deprovisionHold?: string;
  /** The deletion guard tripped: how many deprovisions were staged and why. */
  guard?: { staged: number; limit: string };
  /** A dry run of an initial cycle only: active Notion members no in-scope Entra user accounts for (see unaccounted.ts). */
  unaccounted?: Array<{ notionId: string; userName: string }>;
}

/** Every operation, in the order apply.ts runs them (offboarding first), log-only records last. */
export const planOperations = (plan: Plan): Operation[] => [
  ...plan.memberships.filter((op) => op.kind === 'remove-members' && op.offboarding),
  ...plan.deprovisions,
  ...plan.upserts,
  ...plan.memberships.filter((op) => !(op.kind === 'remove-members' && op.offboarding)),
  ...plan.groupRetirements,
  ...plan.records,
];
