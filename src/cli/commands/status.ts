// `status`: recent cycles, quarantine, staged deletes, escrowed objects, and the rate Notion requests go at.
import type { Command } from 'commander';
import {
  countOpenWork,
  lastSuccessfulCycle,
  listEscrowedObjects,
  listRecentCycles,
  listRetiringGroups,
  listStagedDeletes,
  readNotionRate,
  readTargetState,
  type CycleRow,
  type EscrowedObject,
  type NotionRateReport,
  type Queryable,
  type StagedDelete,
} from '../../store/index.js';
import { graceEnds } from '../../engine/index.js';
import { describeNotionRate } from '../../observe/index.js';
import { wholeNumber } from '../options.js';
import { loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';
import { formatTable } from '../table.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the last cycles, quarantine state, staged deletes, objects waiting for a retry and the Notion request rate')
    .option('--cycles <n>', 'how many recent cycles to show (1 to 1000)', wholeNumber(1, 1000), 10)
    .option('--json', 'print as JSON')
    .action((options: { cycles: number; json?: boolean }) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config, 'read');
        try {
          const report = await readStatusReport(store.db, config.target, options.cycles, config.notion.rateLimitRps);
          report.retiringGroups = await readRetiringGroups(store.db, config.target, config.provisioning);
          process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatusReport(report));
        } finally {
          await store.close();
        }
      }),
    );
}

interface StatusReport {
  target: string;
  quarantine: { reason: string; since: string | null; nextAttemptAt: string | null; seriesCount: number } | null;
  lastSuccessfulCycleAt: string | null;
  cycles: Array<{ id: string; kind: string; status: string; dryRun: boolean; startedAt: string; finishedAt: string | null; durationMs: number | null; counts: Record<string, number>; error: string | null }>;
  stagedDeletes: StagedDelete[];
  escrowed: EscrowedObject[];
  /** Notion members a first cycle could not account for, waiting for `approve --unaccounted` (or --reject). */
  unaccountedMembers: number;
  /** Groups that left scope, kept emptied in Notion; deleteAfter null: group deletes are off. */
  retiringGroups?: RetiringGroupStatus[];
  notionRate: NotionRateReport;
}

interface RetiringGroupStatus {
  name: string | undefined;
  sourceId: string;
  notionId: string | null;
  leftScopeAt: string;
  deleteAfter: string | null;
}

async function readRetiringGroups(db: Queryable, target: string, settings: { deleteGroups: boolean; groupDeleteGraceDays: number }): Promise<RetiringGroupStatus[]> {
  return (await listRetiringGroups(db, target)).map((g) => ({
    name: g.name,
    sourceId: g.sourceId,
    notionId: g.notionId,
    leftScopeAt: g.retiringSince.toISOString(),
    deleteAfter: settings.deleteGroups ? graceEnds(g.retiringSince, settings.groupDeleteGraceDays).toISOString() : null,
  }));
}

async function readStatusReport(db: Queryable, target: string, cycleCount: number, rateSetting: number | 'auto'): Promise<StatusReport> {
  const [state, lastSuccess, cycles, stagedDeletes, escrowed, open, notionRate] = await Promise.all([
    readTargetState(db, target),
    lastSuccessfulCycle(db, target),
    listRecentCycles(db, target, cycleCount),
    listStagedDeletes(db, target, 1000),
    listEscrowedObjects(db, target, 1000),
    countOpenWork(db, target),
    readNotionRate(db, target, rateSetting),
  ]);
  return {
    target,
    quarantine: state?.quarantineReason
      ? {
          reason: state.quarantineReason,
          since: state.quarantineSince?.toISOString() ?? null,
          nextAttemptAt: state.quarantineNextAttemptAt?.toISOString() ?? null,
          seriesCount: state.quarantineSeriesCount,
        }
      : null,
    lastSuccessfulCycleAt: lastSuccess ? (lastSuccess.finishedAt ?? lastSuccess.startedAt).toISOString() : null,
    cycles: cycles.map(describeCycle),
    stagedDeletes,
    escrowed,
    unaccountedMembers: open.unaccounted,
    notionRate,
  };
}

function describeCycle(c: CycleRow): StatusReport['cycles'][number] {
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    dryRun: c.dryRun,
    startedAt: c.startedAt.toISOString(),
    finishedAt: c.finishedAt?.toISOString() ?? null,
    durationMs: c.finishedAt ? c.finishedAt.getTime() - c.startedAt.getTime() : null,
    counts: c.counts,
    error: c.error,
  };
}

function formatStatusReport(r: StatusReport): string {
  const lines: string[] = [`Target: ${r.target}`];
  lines.push(
    r.quarantine
      ? `Quarantine: QUARANTINED since ${r.quarantine.since ?? '?'} (${r.quarantine.reason}); next attempt at ${r.quarantine.nextAttemptAt ?? 'the next tick'}`
      : 'Quarantine: none',
  );
  lines.push(`Last successful cycle: ${r.lastSuccessfulCycleAt ?? 'none yet'}`);
  lines.push(`Staged deletes: ${r.stagedDeletes.length}${r.stagedDeletes.length > 0 ? ' (apply with `entra-notion-sync approve`)' : ''}`);
  if (r.unaccountedMembers > 0) {
    lines.push(`Unaccounted Notion members: ${r.unaccountedMembers} (list with \`entra-notion-sync logs --action unaccounted\`; decide with \`approve --unaccounted\` or \`approve --reject --unaccounted\`)`);
  }
  const retiring = r.retiringGroups ?? [];
  if (retiring.length > 0) lines.push(`Groups kept after leaving scope (emptied, deleted after the grace period unless they return): ${retiring.length}`);
  lines.push(`Escrowed objects: ${r.escrowed.length}`, `Notion request rate: ${describeNotionRate(r.notionRate)}`, '');

  lines.push('Recent cycles:');
  lines.push(
    r.cycles.length === 0
      ? '  (none yet)'
      : formatTable(
          ['STARTED', 'KIND', 'STATUS', 'DURATION', 'CHANGES'],
          r.cycles.map((c) => [c.startedAt, `${c.kind}${c.dryRun ? ' (dry run)' : ''}`, c.status, c.durationMs === null ? '-' : formatDuration(c.durationMs), formatCounts(c.counts, c.error)]),
        ),
  );
  if (r.stagedDeletes.length > 0) {
    lines.push('', 'Staged deletes:');
    lines.push(formatTable(['TYPE', 'NAME', 'ENTRA ID', 'ACTION', 'STAGED AT'], r.stagedDeletes.map((s) => [s.objectType, s.name ?? '', s.sourceId, s.action, s.stagedAt?.toISOString() ?? ''])));
  }
  if (retiring.length > 0) {
    lines.push('', 'Groups kept after leaving scope:');
    lines.push(formatTable(['NAME', 'ENTRA ID', 'LEFT SCOPE', 'DELETED AFTER'], retiring.map((g) => [g.name ?? '', g.sourceId, g.leftScopeAt, g.deleteAfter ?? 'never (group deletes are off)'])));
  }
  if (r.escrowed.length > 0) {
    lines.push('', 'Escrowed objects (waiting for a retry):');
    lines.push(
      formatTable(
        ['TYPE', 'NAME', 'ENTRA ID', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        r.escrowed.map((e) => [e.objectType, e.name ?? '', e.sourceId, String(e.attempts), e.nextAttemptAt?.toISOString() ?? 'next cycle', [e.errorKind, e.error].filter(Boolean).join(': ')]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function formatCounts(counts: Record<string, number>, error: string | null): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key}=${n}`);
  if (error) parts.push(`error: ${error}`);
  return parts.length > 0 ? parts.join(' ') : 'no changes';
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
