// The simulated workspace's state: Notion accounts (members and removed ones), groups and memberships, with O(1) lookups.
import { randomUUID } from 'node:crypto';
import { IndexedSet } from './indexed-set.js';
import type { MembershipsOnRemoval } from './options.js';

export type NotionRole = 'owner' | 'membership_admin' | 'member' | 'restricted_member';
export const notionRoles: readonly NotionRole[] = ['owner', 'membership_admin', 'member', 'restricted_member'];

export interface ScimMultiValue {
  value: string;
  type?: string;
  primary?: boolean;
}

/** A Notion account as this workspace knows it. `inWorkspace: false` is a removed member (or an account from elsewhere). */
export interface NotionUser {
  readonly id: string;
  userName: string;
  inWorkspace: boolean;
  name: { formatted?: string; givenName?: string; familyName?: string };
  emails: ScimMultiValue[];
  /** Notion stores one phone number (reference §2.1). */
  phoneNumber?: ScimMultiValue;
  title?: string;
  locale?: string;
  preferredLanguage?: string;
  userType?: string;
  addresses?: unknown[];
  roles?: unknown[];
  photos?: unknown[];
  /** Attributes of urn:ietf:params:scim:schemas:extension:enterprise:2.0:User. */
  enterprise: Record<string, unknown>;
  /** Workspace role from urn:ietf:params:scim:schemas:extension:notion:2.0:User; absent on some real users (§2.2). */
  role?: NotionRole;
  created: number;
  lastModified: number;
}

export type NewNotionUser = Partial<Omit<NotionUser, 'created' | 'lastModified'>> & { userName: string };
export type NotionUserChanges = Partial<Omit<NotionUser, 'id' | 'created' | 'lastModified'>>;

export interface NotionGroup {
  readonly id: string;
  displayName: string;
  readonly members: IndexedSet;
  created: number;
  lastModified: number;
}

export interface WorkspaceSnapshot {
  users: NotionUser[];
  groups: Array<{ id: string; displayName: string; members: string[] }>;
}

/** Notion's window for restoring a member's groups when they rejoin (reference §3.6). */
export const restoreWindowMs = 30 * 24 * 60 * 60 * 1000;

export class NotionWorkspace {
  private readonly accounts = new Map<string, NotionUser>();
  /** Lower-cased userName (the account's email) → id, over every account: Notion emails are case-insensitive. */
  private readonly accountIdByEmail = new Map<string, string>();
  private readonly memberIds = new IndexedSet();
  private readonly groupsById = new Map<string, NotionGroup>();
  private readonly groupIdByName = new Map<string, string>();
  private readonly groupOrder = new IndexedSet();
  private readonly groupIdsOfUser = new Map<string, Set<string>>();
  /** Removed members' groups at removal, for 'restore-within-30-days'. */
  private readonly groupsAtRemoval = new Map<string, { at: number; groupIds: string[] }>();
  /** What a removal does to memberships (the simulator's `membershipsOnRemoval` option). */
  membershipsOnRemoval: MembershipsOnRemoval = 'restore-within-30-days';

  constructor(private readonly now: () => number = Date.now) {}

  // ---- users ----

  /** Members of the workspace, in list order. */
  users(): NotionUser[] {
    return this.memberIds.values().map((id) => this.accounts.get(id) as NotionUser);
  }

  userCount(): number {
    return this.memberIds.size;
  }

  userAt(position: number): NotionUser | undefined {
    const id = this.memberIds.at(position);
    return id === undefined ? undefined : this.accounts.get(id);
  }

  /** Any account by id, member or removed. */
  account(id: string): NotionUser | undefined {
    return this.accounts.get(id);
  }

  accountByUserName(userName: string): NotionUser | undefined {
    const id = this.accountIdByEmail.get(userName.toLowerCase());
    return id === undefined ? undefined : this.accounts.get(id);
  }

  addUser(input: NewNotionUser): NotionUser {
    if (this.accountIdByEmail.has(input.userName.toLowerCase())) throw new Error(`userName ${input.userName} already belongs to an account`);
    const id = input.id ?? randomUUID();
    if (this.accounts.has(id)) throw new Error(`user id ${id} already exists`);
    const at = this.now();
    const user: NotionUser = { inWorkspace: true, name: {}, emails: [], enterprise: {}, ...input, id, created: at, lastModified: at };
    this.accounts.set(id, user);
    this.accountIdByEmail.set(user.userName.toLowerCase(), id);
    if (user.inWorkspace) this.memberIds.add(id);
    return user;
  }

  /** A direct edit (drift in tests); a change of `inWorkspace` adds or removes the member like SCIM does. */
  editUser(id: string, changes: NotionUserChanges): NotionUser {
    const current = this.requireAccount(id);
    return this.commitUser({ ...current, ...changes, id });
  }

  /** Stores a changed copy of an account: re-indexes its userName and membership and stamps lastModified. */
  commitUser(next: NotionUser): NotionUser {
    const current = this.requireAccount(next.id);
    const oldKey = current.userName.toLowerCase();
    const newKey = next.userName.toLowerCase();
    if (oldKey !== newKey) {
      if (this.accountIdByEmail.has(newKey)) throw new Error(`userName ${next.userName} already belongs to an account`);
      this.accountIdByEmail.delete(oldKey);
      this.accountIdByEmail.set(newKey, next.id);
    }
    const user: NotionUser = { ...next, lastModified: this.now() };
    this.accounts.set(user.id, user);
    if (user.inWorkspace) this.addMember(user.id);
    else this.dropMember(user.id);
    return user;
  }

  /** Removes the member from the workspace and from all its groups; the account (and its id) remains. */
  removeUser(id: string): void {
    const user = this.requireAccount(id);
    if (user.inWorkspace) this.commitUser({ ...user, inWorkspace: false });
  }

  // ---- groups ----

  groups(): NotionGroup[] {
    return this.groupOrder.values().map((id) => this.groupsById.get(id) as NotionGroup);
  }

  groupCount(): number {
    return this.groupOrder.size;
  }

  groupAt(position: number): NotionGroup | undefined {
    const id = this.groupOrder.at(position);
    return id === undefined ? undefined : this.groupsById.get(id);
  }

  group(id: string): NotionGroup | undefined {
    return this.groupsById.get(id);
  }

  groupByDisplayName(displayName: string): NotionGroup | undefined {
    const id = this.groupIdByName.get(displayName);
    return id === undefined ? undefined : this.groupsById.get(id);
  }

  groupMembers(groupId: string): string[] {
    return [...this.requireGroup(groupId).members.values()];
  }

  /** Ids of the groups a user belongs to. */
  groupsOf(userId: string): string[] {
    return [...(this.groupIdsOfUser.get(userId) ?? [])];
  }

  addGroup(input: { displayName: string; members?: string[]; id?: string }): NotionGroup {
    if (this.groupIdByName.has(input.displayName)) throw new Error(`group ${input.displayName} already exists`);
    const id = input.id ?? randomUUID();
    if (this.groupsById.has(id)) throw new Error(`group id ${id} already exists`);
    const at = this.now();
    const group: NotionGroup = { id, displayName: input.displayName, members: new IndexedSet(), created: at, lastModified: at };
    this.groupsById.set(id, group);
    this.groupIdByName.set(group.displayName, id);
    this.groupOrder.add(id);
    for (const userId of input.members ?? []) this.addGroupMember(id, userId);
    return group;
  }

  renameGroup(id: string, displayName: string): void {
    const group = this.requireGroup(id);
    if (group.displayName === displayName) return;
    if (this.groupIdByName.has(displayName)) throw new Error(`group ${displayName} already exists`);
    this.groupIdByName.delete(group.displayName);
    this.groupIdByName.set(displayName, id);
    group.displayName = displayName;
    group.lastModified = this.now();
  }

  deleteGroup(id: string): void {
    const group = this.requireGroup(id);
    for (const userId of group.members.values()) this.groupIdsOfUser.get(userId)?.delete(id);
    this.groupsById.delete(id);
    this.groupIdByName.delete(group.displayName);
    this.groupOrder.delete(id);
  }

  /** Only workspace members can be in groups (reference §4, N-GROUPS). */
  addGroupMember(groupId: string, userId: string): void {
    const group = this.requireGroup(groupId);
    if (!this.memberIds.has(userId)) throw new Error(`user ${userId} is not a member of the workspace`);
    if (group.members.has(userId)) return;
    group.members.add(userId);
    let groupIds = this.groupIdsOfUser.get(userId);
    if (!groupIds) this.groupIdsOfUser.set(userId, (groupIds = new Set()));
    groupIds.add(groupId);
    group.lastModified = this.now();
  }

  removeGroupMember(groupId: string, userId: string): void {
    const group = this.requireGroup(groupId);
    if (!group.members.delete(userId)) return;
    this.groupIdsOfUser.get(userId)?.delete(groupId);
    group.lastModified = this.now();
  }

  // ---- whole state ----

  clear(): void {
    this.groupsAtRemoval.clear();
    this.accounts.clear();
    this.accountIdByEmail.clear();
    this.memberIds.clear();
    this.groupsById.clear();
    this.groupIdByName.clear();
    this.groupOrder.clear();
    this.groupIdsOfUser.clear();
  }

  /** Every account (members and removed ones) and every group with its member ids, as plain JSON-ready data. */
  snapshot(): WorkspaceSnapshot {
    return {
      users: [...this.accounts.values()].map((user) => structuredClone(user)),
      groups: this.groups().map((group) => ({ id: group.id, displayName: group.displayName, members: [...group.members.values()] })),
    };
  }

  private addMember(userId: string): void {
    if (this.memberIds.has(userId)) return;
    this.memberIds.add(userId);
    const removal = this.groupsAtRemoval.get(userId);
    this.groupsAtRemoval.delete(userId);
    // "If a user has left and rejoined a workspace within the last 30 days, their [...] group membership [...] will be
    // restored upon rejoining" (reference §3.6): groups deleted since then are not restored.
    if (this.membershipsOnRemoval !== 'restore-within-30-days' || !removal || this.now() - removal.at > restoreWindowMs) return;
    for (const groupId of removal.groupIds) if (this.groupsById.has(groupId)) this.addGroupMember(groupId, userId);
  }

  private dropMember(userId: string): void {
    if (!this.memberIds.delete(userId)) return;
    // An RFC 7644 server keeps an inactive user's memberships; Notion's pages say removal drops them (reference §3.6).
    if (this.membershipsOnRemoval === 'keep') return;
    const groupIds = [...(this.groupIdsOfUser.get(userId) ?? [])];
    if (this.membershipsOnRemoval === 'restore-within-30-days') this.groupsAtRemoval.set(userId, { at: this.now(), groupIds });
    for (const groupId of groupIds) this.removeGroupMember(groupId, userId);
    this.groupIdsOfUser.delete(userId);
  }

  private requireAccount(id: string): NotionUser {
    const user = this.accounts.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  private requireGroup(id: string): NotionGroup {
    const group = this.groupsById.get(id);
    if (!group) throw new Error(`no group ${id}`);
    return group;
  }
}
