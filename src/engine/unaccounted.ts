// Members an initial cycle cannot account for (pure): an empty store facing a populated workspace (a lost volume, a
// new database) adopts everyone in scope and would never deprovision whoever left while the state was gone. These are
// the active Notion members that no in-scope active Entra user matches: reported and held for a decision
// (`approve --unaccounted`), never deactivated without one.
import type { ScimUser } from '../scim/index.js';
import { notionUserExtensionUrn } from '../scim/notion.js';
import { userCandidates, type UserIndex } from './matching.js';
import type { DesiredUser } from './model.js';

export interface UnaccountedMember {
  notionId: string;
  userName: string;
}

/** The Entra-id column of a link kept for an unaccounted member: a Notion id under a prefix no Entra id carries. */
export const unaccountedPrefix = 'notion:';
export const unaccountedSourceId = (notionId: string): string => `${unaccountedPrefix}${notionId}`;
export const isUnaccountedSourceId = (sourceId: string): boolean => sourceId.startsWith(unaccountedPrefix);

export const unaccountedReason = 'in Notion, not in scope, not protected: possibly someone who left while the store was empty';

export interface UnaccountedInput {
  /** Notion's user listing read this cycle. */
  notionUsers: readonly ScimUser[];
  index: UserIndex;
  /** The evaluated users: on an initial cycle, every in-scope user. */
  users: readonly DesiredUser[];
  matchingPaths: readonly string[];
  /** Lower-cased userNames never changed or removed (PROTECTED_USERS). */
  protectedUserNames: ReadonlySet<string>;
}

/**
 * Workspace owners are left out: removing one revokes every token they created, the token owner's among them, and the
 * token owner cannot be removed through SCIM at all (reference notion-scim.md §3.3). Those stay a decision for the UI.
 */
const isWorkspaceOwner = (user: ScimUser): boolean => {
  const extension = user[notionUserExtensionUrn];
  return typeof extension === 'object' && extension !== null && String((extension as { role?: unknown }).role).toLowerCase() === 'owner';
};

export function findUnaccountedMembers(input: UnaccountedInput): UnaccountedMember[] {
  const accounted = new Set<string>();
  for (const user of input.users) {
    if (user.lifecycle !== 'active') continue;
    for (const candidate of userCandidates(input.index, input.matchingPaths, user.attributes)) accounted.add(candidate.id);
  }
  return input.notionUsers
    .filter((user) => user.active !== false && !accounted.has(user.id) && !input.index.linked.has(user.id))
    .filter((user) => !input.protectedUserNames.has(user.userName.toLowerCase()) && !isWorkspaceOwner(user))
    .map((user) => ({ notionId: user.id, userName: user.userName }))
    .sort((a, b) => a.userName.localeCompare(b.userName));
}

/** Why the cycle is held, for its error text and the summary. */
export function unaccountedMessage(count: number): string {
  return `${count} Notion member(s) are not accounted for; review them with \`entra-notion-sync logs --action unaccounted\` and run \`approve --unaccounted\` to deactivate them, or \`approve --reject --unaccounted\` to leave them`;
}
