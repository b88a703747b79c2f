// `check` for the Graph side: a token, the service principal, the permissions in the token, the assignments.
import type { TokenProvider } from './credentials.js';
import { GraphReadError, toGraphReadError } from './graph-errors.js';
import type { GraphReader } from './graph-reader.js';
import { forEachAssignmentPage, readServicePrincipal } from './assignments.js';

export interface GraphAccessReport {
  /** Everything below passed: a token, the service principal, every permission, the assignment listing. */
  ok: boolean;
  token: { acquired: boolean; error?: string };
  servicePrincipal: { found: boolean; id?: string; displayName?: string | null; error?: string };
  /** Application permissions in the token's `roles` claim, and the least-privileged ones not covered by them. */
  permissions: { granted: string[]; missing: string[] };
  assignments: { users: number; groups: number; error?: string } | null;
}

/** The least-privileged application permissions this engine needs, each with the broader ones that cover it
 *  (Graph permission tables of user-delta, group-delta and serviceprincipal-list-approleassignedto). */
export const REQUIRED_GRAPH_PERMISSIONS: Record<string, string[]> = {
  'User.Read.All': ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'GroupMember.Read.All': ['Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'Application.Read.All': ['Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};

/** With change notifications (NOTIFICATION_URL): a subscription on groups needs Group.Read.All, which
 *  GroupMember.Read.All does not cover (reference graph-notifications.md §1); users need User.Read.All, required anyway. */
export const NOTIFICATION_GRAPH_PERMISSIONS: Record<string, string[]> = {
  'Group.Read.All': ['Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};

export async function checkGraphAccess(
  tokens: TokenProvider, graph: GraphReader, ids: { servicePrincipalId?: string; clientId?: string },
  options: { notifications?: boolean } = {},
): Promise<GraphAccessReport> {
  const required = options.notifications ? { ...REQUIRED_GRAPH_PERMISSIONS, ...NOTIFICATION_GRAPH_PERMISSIONS } : REQUIRED_GRAPH_PERMISSIONS;
  const report: GraphAccessReport = {
    ok: false, token: { acquired: false }, servicePrincipal: { found: false }, permissions: { granted: [], missing: [] }, assignments: null,
  };
  let token: string;
  try {
    token = await tokens.getAccessToken();
  } catch (error) {
    report.token.error = toGraphReadError(error).message;
    report.permissions.missing = Object.keys(required);
    return report;
  }
  report.token.acquired = true;
  report.permissions.granted = rolesOf(token);
  report.permissions.missing = Object.entries(required)
    .filter(([least, broader]) => ![least, ...broader].some((name) => report.permissions.granted.includes(name)))
    .map(([least]) => least);
  try {
    const principal = await readServicePrincipal(graph, ids);
    report.servicePrincipal = { found: true, id: principal.id, displayName: principal.displayName };
    // Counted page by page: at a million assignments the listing is never held whole (issue 14).
    const counted = { users: 0, groups: 0 };
    await forEachAssignmentPage(graph, principal.id, async (page) => {
      for (const row of page) {
        if (row.principalType === 'User') counted.users += 1;
        else if (row.principalType === 'Group') counted.groups += 1;
      }
    });
    report.assignments = counted;
  } catch (error) {
    const message = error instanceof GraphReadError ? error.message : String(error);
    if (report.servicePrincipal.found) report.assignments = { users: 0, groups: 0, error: message };
    else report.servicePrincipal.error = message;
  }
  report.ok = report.servicePrincipal.found && report.permissions.missing.length === 0 && report.assignments?.error === undefined && report.assignments !== null;
  return report;
}

/** The `roles` claim of a JWT access token (application permissions); not verified: only read for the report. */
function rolesOf(token: string): string[] {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const roles = typeof payload === 'object' && payload !== null ? (payload as { roles?: unknown }).roles : undefined;
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  } catch {
    return [];
  }
}
