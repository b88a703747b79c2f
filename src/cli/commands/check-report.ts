// What `check` found, as data (printed with --json) and as the text an admin reads (pure).
import type { GraphAccessReport } from '../../entra/index.js';

export type MappingReport = { ok: true; sourceAttributes: { user: string[]; group: string[] } } | { ok: false; problems: string[] };

export type NotionReport =
  | { ok: true; owners?: string[]; ownersError?: string }
  | { ok: false; message: string; owners?: undefined };

export interface CheckReport {
  ok: boolean;
  mapping: MappingReport;
  graph: GraphAccessReport;
  notion: NotionReport;
  /** `suggested`: a PROTECTED_USERS line holding the configured names and every workspace owner; null when nothing is missing. */
  protectedUsers: { configured: string[]; suggested: string | null };
}

const mark = (ok: boolean): string => (ok ? 'ok  ' : 'FAIL');

export function renderCheck(report: CheckReport, scimUrl: string): string {
  const { mapping, graph, notion, protectedUsers } = report;
  const lines = ['Attribute mapping'];
  if (mapping.ok) {
    lines.push(`  ok   compiled; reads ${mapping.sourceAttributes.user.length} user and ${mapping.sourceAttributes.group.length} group attributes from Graph`);
  } else {
    lines.push('  FAIL the mapping does not compile (fix MAPPING_FILE or the "mapping" section):', ...mapping.problems.map((problem) => `       ${problem}`));
  }
  lines.push('Microsoft Graph');
  if (!graph.token.acquired) {
    // Without a token nothing else can be asked: say why sign-in failed, not "permissions: none".
    lines.push(`  FAIL sign-in failed: ${graph.token.error ?? 'no token'}`, '       (enterprise application, permissions and assignments not checked without a token)');
  } else {
    lines.push(
      '  ok   signed in',
      `  ${mark(graph.servicePrincipal.found)} enterprise application${graph.servicePrincipal.found ? ` "${graph.servicePrincipal.displayName ?? ''}" (${graph.servicePrincipal.id})` : `: ${graph.servicePrincipal.error ?? 'not read'}`}`,
      `  ${mark(graph.permissions.missing.length === 0)} permissions: ${graph.permissions.granted.join(', ') || 'none granted'}${graph.permissions.missing.length > 0 ? `; missing ${graph.permissions.missing.join(', ')} (grant the application permission and admin consent)` : ''}`,
    );
    if (graph.assignments) {
      lines.push(`  ${mark(graph.assignments.error === undefined)} assignments: ${graph.assignments.users} users, ${graph.assignments.groups} groups${graph.assignments.error ? `: ${graph.assignments.error}` : ''}`);
    }
  }
  lines.push('Notion SCIM', `  ${mark(notion.ok)} ${scimUrl}${notion.ok ? ': token accepted, user filter answered' : `: ${notion.message}`}`);
  if (notion.ok && notion.owners) {
    lines.push(`  ok   workspace owners: ${notion.owners.join(', ') || 'none visible over SCIM'} (the SCIM token's creator is one of them; Notion does not say which)`);
  } else if (notion.ok && notion.ownersError) {
    lines.push(`  WARN could not list the workspace owners: ${notion.ownersError}`);
  }
  lines.push('Protected users');
  if (protectedUsers.configured.length === 0) {
    lines.push('  WARN PROTECTED_USERS is empty: nobody is shielded from changes, not even the owner of the SCIM token (removing an owner revokes their tokens)');
  } else {
    lines.push(`  ok   PROTECTED_USERS: ${protectedUsers.configured.join(', ')}`);
  }
  if (protectedUsers.suggested) lines.push('  suggested (every workspace owner protected):', `  ${protectedUsers.suggested}`);
  return `${lines.join('\n')}\n`;
}
