// The simulated Entra directory: users, groups, memberships, app role assignments, and the change log that
// delta tokens point into. Every mutation appends what it changed, so a delta round can replay it.
import {
  DEFAULT_ACCESS_ROLE_ID, USER_PROPERTY_NAMES,
  type ChangeEntry, type MemberType, type SimAssignment, type SimGroup, type SimGroupProps, type SimUser,
  type SimUserProps,
} from './model.js';
import { makeUser, type UserShares } from './people.js';
import type { SeededRandom } from './random.js';

/** A group as stored: its properties plus the ids of its direct members (users and groups). */
export interface GroupRecord extends SimGroup {
  members: Set<string>;
}

export interface TenantState {
  tenantId: string;
  appId: string;
  servicePrincipalId: string;
  appDisplayName: string;
  random: SeededRandom;
  userShares: UserShares;
  users: Map<string, SimUser>;
  groups: Map<string, GroupRecord>;
  assignments: Map<string, SimAssignment>;
}

const LIFECYCLE = null;

/** What a change notification would say about a mutation: the resource, the object and the change type. */
export interface TenantChange {
  resource: 'users' | 'groups';
  id: string;
  changeType: 'updated' | 'deleted';
}

export type TenantChangeListener = (change: TenantChange) => void;

export class SimTenant {
  readonly tenantId: string;
  readonly appId: string;
  readonly servicePrincipalId: string;
  readonly appDisplayName: string;
  private readonly random: SeededRandom;
  private readonly userShares: UserShares;
  private readonly userRecords: Map<string, SimUser>;
  private readonly groupRecords: Map<string, GroupRecord>;
  private readonly assignmentRecords: Map<string, SimAssignment>;
  private readonly changeLog: ChangeEntry[] = [];
  private readonly changeListeners = new Set<TenantChangeListener>();
  private hiredCount: number;

  constructor(state: TenantState) {
    this.tenantId = state.tenantId;
    this.appId = state.appId;
    this.servicePrincipalId = state.servicePrincipalId;
    this.appDisplayName = state.appDisplayName;
    this.random = state.random;
    this.userShares = state.userShares;
    this.userRecords = state.users;
    this.groupRecords = state.groups;
    this.assignmentRecords = state.assignments;
    this.hiredCount = state.users.size;
  }

  // ---- reading (copies, so callers cannot change the directory behind the change log) ----

  /** Every user, soft-deleted ones included (with `deletedDateTime` set). */
  users(): SimUser[] {
    return Array.from(this.userRecords.values(), (user) => ({ ...user, otherMails: [...user.otherMails] }));
  }

  groups(): SimGroup[] {
    return Array.from(this.groupRecords.values(), ({ members: _members, ...group }) => ({ ...group }));
  }

  /** Assignments of live principals (a soft-deleted user's assignment is hidden until restore). */
  assignments(): SimAssignment[] {
    return [...this.liveAssignments()].map((assignment) => ({ ...assignment }));
  }

  /** Direct members of a group that Graph would list (soft-deleted users are not). */
  membersOf(groupId: string): string[] {
    return [...this.group(groupId).members].filter((id) => this.isVisibleMember(id));
  }

  // ---- reading for the HTTP layer (live records: do not mutate) ----

  findUser(id: string): Readonly<SimUser> | undefined {
    return this.userRecords.get(id);
  }

  findGroup(id: string): Readonly<GroupRecord> | undefined {
    return this.groupRecords.get(id);
  }

  userIds(): string[] {
    return [...this.userRecords.keys()];
  }

  groupIds(): string[] {
    return [...this.groupRecords.keys()];
  }

  *liveAssignments(): Iterable<SimAssignment> {
    for (const assignment of this.assignmentRecords.values()) {
      if (this.userRecords.get(assignment.principalId)?.deletedDateTime) continue;
      yield assignment;
    }
  }

  memberTypeOf(id: string): MemberType {
    return this.groupRecords.has(id) ? 'group' : 'user';
  }

  isVisibleMember(id: string): boolean {
    const user = this.userRecords.get(id);
    return user ? user.deletedDateTime === null : this.groupRecords.has(id);
  }

  /** Position after the last change; a delta token remembers it. */
  changeLogPosition(): number {
    return this.changeLog.length;
  }

  changesBetween(from: number, to: number): readonly ChangeEntry[] {
    return this.changeLog.slice(from, to);
  }

  // ---- users ----

  hireUser(partial: Partial<SimUserProps> = {}): SimUser {
    this.hiredCount += 1;
    // Only known properties are taken, so a caller (or a control API body) cannot set the id.
    const known = USER_PROPERTY_NAMES.filter((name) => partial[name] !== undefined).map((name) => [name, partial[name]]);
    const user: SimUser = { ...makeUser(this.random, this.hiredCount, this.userShares), ...Object.fromEntries(known) };
    this.userRecords.set(user.id, user);
    this.record({ kind: 'user', id: user.id, properties: LIFECYCLE });
    return { ...user };
  }

  renameUser(id: string, change: Pick<Partial<SimUserProps>, 'userPrincipalName' | 'displayName' | 'givenName' | 'surname' | 'mail'>): void {
    this.updateUser(id, change);
  }

  updateUser(id: string, change: Partial<SimUserProps>): void {
    const user = this.user(id);
    const changed = USER_PROPERTY_NAMES.filter((name) => name in change && change[name] !== undefined);
    Object.assign(user, Object.fromEntries(changed.map((name) => [name, change[name]])));
    if (changed.length > 0) this.record({ kind: 'user', id, properties: changed });
  }

  disableUser(id: string): void {
    this.updateUser(id, { accountEnabled: false });
  }

  enableUser(id: string): void {
    this.updateUser(id, { accountEnabled: true });
  }

  /** Moves the user to the recycle bin: delta reports `@removed: changed`; memberships come back on restore. */
  softDeleteUser(id: string): void {
    const user = this.user(id);
    if (user.deletedDateTime) return;
    user.deletedDateTime = new Date().toISOString();
    this.record({ kind: 'user', id, properties: LIFECYCLE });
    this.logMembershipsOf(id, 'user');
  }

  restoreUser(id: string): void {
    const user = this.user(id);
    if (!user.deletedDateTime) return;
    user.deletedDateTime = null;
    this.record({ kind: 'user', id, properties: LIFECYCLE });
    this.logMembershipsOf(id, 'user');
  }

  /** Permanently deletes the user: delta reports `@removed: deleted`; memberships and assignment go. */
  hardDeleteUser(id: string): void {
    this.user(id);
    this.removeFromAllGroups(id, 'user');
    this.assignmentRecords.delete(id);
    this.userRecords.delete(id);
    this.record({ kind: 'user', id, properties: LIFECYCLE });
  }

  // ---- assignments (Graph has no delta for them: a reader re-lists appRoleAssignedTo) ----

  assign(principalId: string, appRoleId: string = DEFAULT_ACCESS_ROLE_ID): void {
    const user = this.userRecords.get(principalId);
    const group = user ? undefined : this.group(principalId);
    const existing = this.assignmentRecords.get(principalId);
    this.assignmentRecords.set(principalId, {
      id: existing?.id ?? assignmentId(this.random),
      appRoleId,
      principalId,
      principalType: user ? 'User' : 'Group',
      principalDisplayName: (user ?? group)?.displayName ?? '',
      resourceId: this.servicePrincipalId,
      resourceDisplayName: this.appDisplayName,
      createdDateTime: existing?.createdDateTime ?? new Date().toISOString(),
    });
  }

  unassign(principalId: string): void {
    this.assignmentRecords.delete(principalId);
  }

  // ---- groups and members ----

  addMember(groupId: string, memberId: string): void {
    const group = this.group(groupId);
    if (!this.userRecords.has(memberId) && !this.groupRecords.has(memberId)) throw new Error(`no user or group ${memberId}`);
    if (memberId === groupId) throw new Error('a group cannot contain itself');
    if (group.members.has(memberId)) return;
    group.members.add(memberId);
    this.record({ kind: 'member', groupId, memberId, memberType: this.memberTypeOf(memberId) });
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.group(groupId);
    if (!group.members.delete(memberId)) return;
    this.record({ kind: 'member', groupId, memberId, memberType: this.memberTypeOf(memberId) });
  }

  createGroup(props: Partial<SimGroupProps> & { displayName: string }): SimGroup {
    const group: GroupRecord = {
      id: this.random.guid(),
      displayName: props.displayName,
      description: props.description ?? null,
      mailNickname: props.mailNickname ?? (props.displayName.replace(/[^A-Za-z0-9]+/g, '').slice(0, 64) || 'group'),
      mailEnabled: props.mailEnabled ?? false,
      securityEnabled: props.securityEnabled ?? true,
      groupTypes: props.groupTypes ?? [],
      createdDateTime: new Date().toISOString(),
      members: new Set(),
    };
    this.groupRecords.set(group.id, group);
    this.record({ kind: 'group', id: group.id, properties: LIFECYCLE });
    const { members: _members, ...copy } = group;
    return copy;
  }

  renameGroup(id: string, displayName: string): void {
    const group = this.group(id);
    group.displayName = displayName;
    this.record({ kind: 'group', id, properties: ['displayName'] });
    const assignment = this.assignmentRecords.get(id);
    if (assignment) assignment.principalDisplayName = displayName;
  }

  /** Deletes a security group outright (they are not kept in the recycle bin). */
  deleteGroup(id: string): void {
    this.group(id);
    this.removeFromAllGroups(id, 'group');
    this.assignmentRecords.delete(id);
    this.groupRecords.delete(id);
    this.record({ kind: 'group', id, properties: LIFECYCLE });
  }

  // ---- change notifications ----

  /** Calls `listener` after every mutation, as Graph's change notifications would (subscriptions.ts); returns the unsubscribe. */
  onChange(listener: TenantChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  // ---- internals ----

  /** Appends to the change log, and tells the listeners: a membership change is an update of its group. */
  private record(entry: ChangeEntry): void {
    this.changeLog.push(entry);
    if (this.changeListeners.size === 0) return;
    const change: TenantChange = entry.kind === 'member'
      ? { resource: 'groups', id: entry.groupId, changeType: 'updated' }
      : entry.kind === 'user'
        ? { resource: 'users', id: entry.id, changeType: this.userRecords.has(entry.id) ? 'updated' : 'deleted' }
        : { resource: 'groups', id: entry.id, changeType: this.groupRecords.has(entry.id) ? 'updated' : 'deleted' };
    for (const listener of this.changeListeners) listener(change);
  }

  private user(id: string): SimUser {
    const user = this.userRecords.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  private group(id: string): GroupRecord {
    const group = this.groupRecords.get(id);
    if (!group) throw new Error(`no group ${id}`);
    return group;
  }

  /** A soft delete or restore changes what every group of the user shows in `members@delta`. */
  private logMembershipsOf(memberId: string, memberType: MemberType): void {
    for (const group of this.groupRecords.values()) {
      if (group.members.has(memberId)) this.record({ kind: 'member', groupId: group.id, memberId, memberType });
    }
  }

  private removeFromAllGroups(memberId: string, memberType: MemberType): void {
    for (const group of this.groupRecords.values()) {
      if (group.members.delete(memberId)) this.record({ kind: 'member', groupId: group.id, memberId, memberType });
    }
  }
}

/** Graph's appRoleAssignment ids are 43-character base64url strings. */
export function assignmentId(random: SeededRandom): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = '';
  for (let i = 0; i < 43; i += 1) id += alphabet[Math.floor(random.next() * 64)];
  return id;
}
