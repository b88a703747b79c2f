// The enterprise app's service principal and its app role assignments (`appRoleAssignedTo`). Graph has no delta
// for assignments (reference §6.3), so they are listed in full each cycle, page by page, and the mirror is set to the
// listing once it is complete (import.ts).
import type { AssignmentWrite } from '../store/index.js';
import { cleanText } from './clean-text.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphObject, GraphReader } from './graph-reader.js';

/** The configured service principal, or the one of our own app registration (`servicePrincipals(appId='…')`). */
export async function readServicePrincipal(graph: GraphReader, ids: { servicePrincipalId?: string; clientId?: string }): Promise<{ id: string; displayName: string | null; appId: string | null }> {
  const path = ids.servicePrincipalId ? `/servicePrincipals/${ids.servicePrincipalId}` : `/servicePrincipals(appId='${ids.clientId ?? ''}')`;
  const body = await graph.getObject(path, { select: ['id', 'appId', 'displayName'] });
  if (typeof body.id !== 'string') throw new Error('the service principal answer has no id');
  return { id: body.id, displayName: stringOrNull(body.displayName), appId: stringOrNull(body.appId) };
}

/**
 * Whether a cycle reads the app's assignments: they decide scope (SYNC_SCOPE=assigned) or feed a mapping that reads app
 * roles. With every user in scope and no role mapped they change nothing, and at 10,000 assignments skipping them saves
 * 11 Graph requests a cycle (and a watch poll).
 */
export const assignmentsMatter = (options: { scope: 'assigned' | 'all'; readsAppRoles: boolean }): boolean => options.scope === 'assigned' || options.readsAppRoles;

export const assignmentsPath = (servicePrincipalId: string): string => `/servicePrincipals/${servicePrincipalId}/appRoleAssignedTo`;

const ASSIGNMENT_FIELDS = ['id', 'principalId', 'principalType', 'appRoleId', 'principalDisplayName'];

/** The principals a cycle provisions: service principals assigned to the app are not. */
export const isProvisionedPrincipal = (principalType: unknown): boolean => principalType === 'User' || principalType === 'Group';

/**
 * Walks the assignments of users and groups to the app one page at a time (issue 14: at a million assignments no
 * reader holds them whole). A malformed item fails the walk; `onPage` has seen only the pages before it.
 */
export async function forEachAssignmentPage(graph: GraphReader, servicePrincipalId: string, onPage: (page: AssignmentWrite[]) => Promise<void>): Promise<void> {
  await graph.forEachPage(assignmentsPath(servicePrincipalId), { select: ASSIGNMENT_FIELDS, top: 999 }, async (items) => {
    await onPage(items.map(toAssignment).filter((row) => isProvisionedPrincipal(row.principalType)));
  });
}

/** Every assignment of users and groups to the app, held whole: for on-demand provisioning and `check`. */
export async function listAssignments(graph: GraphReader, servicePrincipalId: string): Promise<AssignmentWrite[]> {
  const listing: AssignmentWrite[] = [];
  await forEachAssignmentPage(graph, servicePrincipalId, async (page) => {
    listing.push(...page);
  });
  return listing;
}

/** An assignment we cannot read would look like an unassignment: it fails the listing instead (fail closed). */
function toAssignment(item: GraphObject): AssignmentWrite {
  const { id, principalId, principalType, appRoleId } = item;
  if (typeof id !== 'string' || typeof principalId !== 'string' || typeof principalType !== 'string' || typeof appRoleId !== 'string') {
    throw new GraphReadError('malformed', `appRoleAssignedTo item ${String(id)} lacks a string principalId, principalType or appRoleId; the read stops`);
  }
  const displayName = stringOrNull(item.principalDisplayName);
  return { id, principalId, principalType, appRoleId, principalDisplayName: displayName === null ? null : cleanText(displayName) };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
