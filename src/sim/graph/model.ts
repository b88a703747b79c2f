// The simulated directory's object shapes and change-log entries, shared by the tenant and the HTTP layer.

/** User properties the simulator stores, named and typed as Microsoft Graph v1.0 `user` names them. */
export interface SimUserProps {
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  employeeId: string | null;
  mobilePhone: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  otherMails: string[];
  /** Invited B2B users only: `PendingAcceptance` until the invitation is redeemed, then `Accepted`; null for others (reference §10.2). */
  externalUserState: 'PendingAcceptance' | 'Accepted' | null;
}

/** A user as the directory holds it; `deletedDateTime` is set while the user is soft-deleted. */
export interface SimUser extends SimUserProps {
  id: string;
  deletedDateTime: string | null;
}

export interface SimGroupProps {
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
}

export interface SimGroup extends SimGroupProps {
  id: string;
  createdDateTime: string;
}

/** An `appRoleAssignment` of the enterprise app's service principal (what `appRoleAssignedTo` lists). */
export interface SimAssignment {
  id: string;
  appRoleId: string;
  principalId: string;
  principalType: 'User' | 'Group';
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  createdDateTime: string;
}

export type MemberType = 'user' | 'group';

/**
 * One entry of the change log that delta tokens point into. `properties` names what changed on a user or
 * group (delta with `$select` only reports changes to selected properties); `null` means the object's
 * life changed (created, soft-deleted, restored, deleted), which every delta reports.
 */
export type ChangeEntry =
  | { kind: 'user'; id: string; properties: readonly string[] | null }
  | { kind: 'group'; id: string; properties: readonly string[] | null }
  | { kind: 'member'; groupId: string; memberId: string; memberType: MemberType };

export const USER_PROPERTY_NAMES: readonly (keyof SimUserProps)[] = [
  'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'jobTitle', 'department',
  'employeeId', 'mobilePhone', 'accountEnabled', 'userType', 'otherMails', 'externalUserState',
];

/** The app role every enterprise app has: "Default Access" (Graph's all-zero role id). */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';
