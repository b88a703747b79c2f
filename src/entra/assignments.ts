// The enterprise app's service principal and its app role assignments (`appRoleAssignedTo`). Graph has no delta
// for assignments (reference §6.3), so they are listed in full each cycle, page by page, and the mirror is set to the
// listing once it is complete (import.ts). On-demand provisioning reads only the assignments of a few principals.
import type { AssignmentWrite } from '../store/index.js';
import { cleanText } from './clean-text.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphObject, GraphReader } from './graph-reader.js';
import { equalsFilter } from './odata-filter.js';

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

/** A principal whose assignments an on-demand read asks for, with its display name in Entra now (null: unknown). */
export interface PrincipalToRead {
  id: string;
  displayName: string | null;
}

/**
 * The assignments of these principals to the app, without listing the app's whole set (issue 14). Of the principal's
 * properties, `appRoleAssignedTo` filters by principalDisplayName (`eq`), not by principalId
 * (https://learn.microsoft.com/graph/api/resources/approleassignment, Properties), under the Application.Read.All the
 * listing needs. The principals' own lists, filterable by resourceId, need Directory.Read.All, which this engine does
 * not ask for (https://learn.microsoft.com/graph/api/user-list-approleassignments, group-list-approleassignments).
 *
 * So: one filtered listing per display name, the principals' names now and those the mirror's rows (`mirrored`, the
 * stored assignments of these principals) carry, since a row keeps the name it was listed under; only the items of
 * these principals are kept (a name is not unique). Then each mirrored row that no listing returned is asked for by id
 * (https://learn.microsoft.com/graph/api/approleassignment-get, Application.Read.All for a resource service
 * principal): it is gone only if Graph answers 404, so no row is dropped because a name did not match (fail closed).
 * What the filters cannot find is an assignment listed under a name that is neither the principal's now nor one the
 * mirror has: an addition missed until the next cycle's listing, never a removal. A malformed item or a failed
 * request fails the read.
 */
export async function readAssignmentsOfPrincipals(
  graph: GraphReader, servicePrincipalId: string, principals: readonly PrincipalToRead[], mirrored: readonly AssignmentWrite[],
): Promise<AssignmentWrite[]> {
  const ids = new Set(principals.map((principal) => principal.id));
  const names = new Map<string, string>();
  for (const name of [...principals.map((principal) => principal.displayName), ...mirrored.map((row) => row.principalDisplayName)]) {
    // Graph compares the name without case: one request per name, whatever its spelling.
    if (name) names.set(name.toLowerCase(), name);
  }
  const found = new Map<string, AssignmentWrite>();
  for (const name of names.values()) {
    const filter = equalsFilter('principalDisplayName', name);
    await graph.forEachPage(assignmentsPath(servicePrincipalId), { select: ASSIGNMENT_FIELDS, filter, top: 999 }, async (items) => {
      for (const row of items.map(toAssignment)) if (ids.has(row.principalId) && isProvisionedPrincipal(row.principalType)) found.set(row.id, row);
    });
  }
  for (const row of mirrored.filter((candidate) => !found.has(candidate.id))) {
    let item: GraphObject;
    try {
      item = await graph.getObject(`${assignmentsPath(servicePrincipalId)}/${encodeURIComponent(row.id)}`, { select: ASSIGNMENT_FIELDS });
    } catch (error) {
      if (error instanceof GraphReadError && error.kind === 'not-found') continue;
      throw error;
    }
    const current = toAssignment(item);
    if (current.id !== row.id) throw new GraphReadError('malformed', `appRoleAssignedTo/${row.id} answered assignment ${current.id}; the read stops`);
    if (ids.has(current.principalId) && isProvisionedPrincipal(current.principalType)) found.set(current.id, current);
  }
  return [...found.values()];
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
