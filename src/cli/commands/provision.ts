// `provision`: on-demand provisioning of one user or one group (with up to five of its members), showing each step
// (import, scope, match, action) like Entra's.
import type { Command } from 'commander';
import { ON_DEMAND_GROUP_MEMBER_LIMIT, provisionUserOrGroupOnDemand, type CycleSummary, type GroupOnDemandReport, type OnDemandReport } from '../../engine/index.js';
import { createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description(`provision one user, or one group with up to ${ON_DEMAND_GROUP_MEMBER_LIMIT} of its in-scope members, now, showing each step (import, scope, match, action)`)
    .argument('<user-or-group>', "a user's userPrincipalName or object id, or a group's displayName or object id")
    .option('--dry-run', 'show the steps and the action without sending it')
    .option('--json', 'print the steps as JSON')
    .action((idOrUpn: string, options: { dryRun?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config, { quiet: true });
        const store = await openConfiguredStore(config);
        try {
          const report = await provisionUserOrGroupOnDemand({ config, store, logger }, idOrUpn, { dryRun: options.dryRun ?? false });
          const text = report.kind === 'group' ? formatGroupReport(idOrUpn, report) : formatReport(idOrUpn, report);
          process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : text);
          if (!report.import.found || (report.kind === 'user' && report.failure)) return exitCodes.failure;
          const status = report.result?.summary.status;
          return status === 'failed' || status === 'quarantined' || status === 'partial' ? exitCodes.failure : exitCodes.ok;
        } finally {
          await store.close();
        }
      }),
    );
}

const verdict = (passed: boolean) => (passed ? 'pass' : 'FAIL');
const capitalised = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

/** A cycle that logged no change had nothing to do, or stopped before its first change (its error says why). */
function nothingLogged(summary: CycleSummary): string {
  return summary.error ? `   Nothing was sent (cycle ${summary.status}): ${summary.error}` : `   Nothing to do (${summary.status}).`;
}

function formatReport(idOrUpn: string, report: OnDemandReport): string {
  const lines: string[] = [];
  lines.push(`1. Import user: ${report.import.found ? `found ${report.import.userId}${report.import.removed ? ` (removed in Entra: ${report.import.removed})` : ''}` : `${idOrUpn} was not found in Entra`}`);
  if (!report.import.found || !report.scope) return `${lines.join('\n')}\n`;
  const scope = report.scope;
  lines.push('2. Determine scope:');
  lines.push(`   - Assigned to the app (directly or through a group): ${verdict(scope.assigned)}`);
  lines.push(`   - Active in Entra (accountEnabled=${String(scope.accountEnabled)}): ${verdict(scope.accountEnabled !== false)}`);
  for (const filter of scope.scopingFilters) {
    lines.push(`   - Scoping filter${filter.name ? ` "${filter.name}"` : ''}: ${verdict(filter.passed)}`);
    for (const clause of filter.clauses) {
      lines.push(`       ${clause.attribute} ${clause.operator} ${clause.value ?? ''} (actual ${JSON.stringify(clause.actual)}): ${verdict(clause.passed)}${clause.reason ? ` - ${clause.reason}` : ''}`);
    }
  }
  lines.push(`   In scope: ${scope.inScope ? 'yes' : 'no'}; IsSoftDeleted: ${String(scope.isSoftDeleted)}`);
  // h1 (issue 13, guests): what GUEST_USERS made of a B2B guest's UPN, or why it is skipped.
  const guest = scope.guest;
  if (guest) lines.push(`   B2B guest: ${guest.skipped ?? `UPN ${guest.originalUserPrincipalName ?? '?'} is sent as userName ${guest.userPrincipalName ?? '(none: nothing is created)'} (GUEST_USERS=${guest.rule})`}`);
  const match = report.match;
  lines.push(`3. Match: ${match?.linked ? `linked to Notion user ${match.notionId ?? '?'} (${match.state})` : (match?.lookup ?? 'not linked yet')}`);
  lines.push('4. Perform action:');
  lines.push('   Mapped attributes:');
  for (const attribute of scope.attributes) {
    lines.push(`     ${attribute.target} = ${attribute.outcome === 'value' || attribute.outcome === 'default' ? JSON.stringify(attribute.result) : `(${attribute.outcome})`}${attribute.createOnly ? ' [create only]' : ''}`);
  }
  if (report.failure) {
    lines.push(`   ${capitalised(report.failure.action)} failed: ${report.failure.reason}. Nothing was sent.`);
  } else if (report.result) {
    const { summary, log } = report.result;
    if (log.length === 0) lines.push(nothingLogged(summary));
    for (const entry of log) {
      lines.push(`   ${entry.action} ${entry.status}${entry.reason ? `: ${entry.reason}` : ''}${entry.errorMessage ? ` (${entry.errorKind}: ${entry.errorMessage})` : ''}`);
      for (const m of entry.modified ?? []) lines.push(`     ${m.path}: ${JSON.stringify(m.old)} → ${JSON.stringify(m.new)}`);
    }
  } else {
    if (report.plan.length === 0) lines.push('   Nothing would change.');
    for (const op of report.plan) lines.push(`   would ${op.kind}: ${op.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatGroupReport(idOrName: string, report: GroupOnDemandReport): string {
  const lines: string[] = [];
  const found = report.import;
  if (!found.found) {
    lines.push(found.ambiguous
      ? `1. Import group: ${found.ambiguous.length} Entra groups are named "${idOrName}" (${found.ambiguous.map((g) => g.id).join(', ')}); give the object id of the one to provision`
      : `1. Import: "${idOrName}" was not found in Entra: no user has this userPrincipalName or object id, and no group this displayName or object id`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`1. Import group: found "${found.displayName ?? ''}" (${found.groupId ?? ''})${found.removed ? ` (removed in Entra: ${found.removed})` : ''}`);
  const scope = report.scope;
  lines.push('2. Determine scope:');
  lines.push(`   - Assigned to the app: ${verdict(scope?.assigned ?? false)}`);
  lines.push(`   In scope: ${scope?.inScope ? 'yes' : 'no'}`);
  const match = report.match;
  lines.push(`3. Match: ${match?.linked ? `linked to Notion group ${match.notionId ?? '?'} (${match.state})` : (match?.lookup ?? 'not linked yet')}`);
  const members = report.members;
  if (members) {
    const rest = members.inScope - members.provisioned.length;
    lines.push(`4. Members: ${members.inEntra} user(s) in Entra, ${members.inScope} in scope; provisioning ${members.provisioned.length} (at most ${members.limit}, as Entra's on-demand)${rest > 0 ? `; the next cycle provisions the other ${rest}` : ''}`);
    for (const member of members.provisioned) lines.push(`   - ${member.userPrincipalName}: ${member.linked ? `linked (${member.state ?? '?'})` : 'not linked yet'}`);
  }
  lines.push('5. Perform action:');
  if (report.result) {
    const { summary, log } = report.result;
    if (log.length === 0) lines.push(nothingLogged(summary));
    for (const entry of log) {
      lines.push(`   ${entry.objectType} ${entry.displayName ?? entry.sourceId}: ${entry.action} ${entry.status}${entry.reason ? `: ${entry.reason}` : ''}${entry.errorMessage ? ` (${entry.errorKind}: ${entry.errorMessage})` : ''}`);
    }
  } else {
    if (report.plan.length === 0) lines.push('   Nothing would change.');
    for (const op of report.plan) lines.push(`   would ${op.kind} ${op.name}: ${op.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
