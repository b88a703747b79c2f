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

/**
 * Workspace owners are left out: removing one revokes every token they created, the token owner's among them, and the
 * token owner cannot be removed through SCIM at all (reference notion-scim.md §3.3). Those stay a decision for the UI.
 */
export const isWorkspaceOwner = (user: ScimUser): boolean => {
  const extension = user[notionUserExtensionUrn];
  return typeof extension === 'object' && extension !== null && String((extension as { role?: unknown }).role).toLowerCase() === 'owner';
};

/**
 * The listed Notion users the evaluated users account for: every candidate of an active (in-scope) one, linked or
 * not. `index` must hold the listed users their matching keys reach. The rest of the question (active, not an owner,
 * not protected, not linked) is the store's (notion-listing.ts).
 */
export function accountedNotionIds(index: UserIndex, users: readonly DesiredUser[], matchingPaths: readonly string[]): Set<string> {
  const accounted = new Set<string>();
  for (const user of users) {
    if (user.lifecycle !== 'active') continue;
    for (const candidate of userCandidates(index, matchingPaths, user.attributes)) accounted.add(candidate.id);
  }
  return accounted;
}

/** The order members are reported in. */
export const byUserName = (a: UnaccountedMember, b: UnaccountedMember): number => a.userName.localeCompare(b.userName);

/** Why the cycle is held, for its error text and the summary. */
export function unaccountedMessage(count: number): string {
  return `${count} Notion member(s) are not accounted for; review them with \`entra-notion-sync logs --action unaccounted\` and run \`approve --unaccounted\` to deactivate them, or \`approve --reject --unaccounted\` to leave them`;
}
