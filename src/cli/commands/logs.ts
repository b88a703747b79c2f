// `logs`: the provisioning log, filtered, as a table or JSON lines (oldest first, like a log).
import { Option, type Command } from 'commander';
import { queryLog, type ProvisioningLogRow } from '../../store/index.js';
import { wholeNumber } from '../options.js';
import { loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';
import { formatTable } from '../table.js';

interface LogsOptions {
  user?: string;
  action?: string;
  status?: string;
  cycle?: string;
  limit: number;
  json?: boolean;
}

/** The actions the log holds: a cycle's operations, then actions taken by hand (recordManualAction). */
const logActions = [
  'create', 'update', 'disable', 'enable', 'delete', 'staged-delete', 'link', 'add-members', 'remove-members', 'skip', 'unaccounted',
  'approve', 'reject', 'reset-escrow', 'reset-quarantine', 'reset-watermarks', 'retry', 'provision',
];
const logStatuses = ['success', 'failure', 'skipped', 'warning'];

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the provisioning log: one row per change and its outcome')
    .option('--user <name-or-id>', 'only this user or group (userName, display name, Entra id or Notion id)')
    .addOption(new Option('--action <action>', 'only this action').choices(logActions))
    .addOption(new Option('--status <status>', 'only this status').choices(logStatuses))
    .option('--cycle <id>', 'only this cycle')
    .option('--limit <n>', 'at most this many rows, the most recent (1 to 100000)', wholeNumber(1, 100_000), 100)
    .option('--json', 'print as JSON lines')
    .action((options: LogsOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config, 'read');
        let rows: ProvisioningLogRow[];
        try {
          rows = await queryLog(store.db, {
            target: config.target,
            limit: options.limit,
            ...(options.user ? { object: options.user } : {}),
            ...(options.action ? { action: options.action } : {}),
            ...(options.status ? { status: options.status } : {}),
            ...(options.cycle ? { cycleId: options.cycle } : {}),
          });
        } finally {
          await store.close();
        }
        const chronological = rows.reverse();
        if (options.json) {
          process.stdout.write(chronological.map((r) => `${JSON.stringify(r)}\n`).join(''));
        } else if (chronological.length === 0) {
          process.stdout.write('no log entries match\n');
        } else {
          process.stdout.write(`${formatLogTable(chronological)}\n`);
        }
      }),
    );
}

function formatLogTable(rows: ProvisioningLogRow[]): string {
  return formatTable(
    ['AT', 'CYCLE', 'ACTION', 'STATUS', 'TYPE', 'NAME', 'DETAIL'],
    rows.map((r) => [r.at.toISOString(), r.cycleId ?? `by ${r.actor ?? 'hand'}`, r.action, r.status, r.objectType, r.displayName ?? r.sourceId, describeDetail(r)]),
  );
}

function describeDetail(r: ProvisioningLogRow): string {
  const parts: string[] = [];
  if (r.errorKind || r.errorMessage) parts.push([r.errorKind, r.errorMessage].filter(Boolean).join(': '));
  if (r.reason) parts.push(r.reason);
  if (r.modified && r.modified.length > 0) parts.push(`changed ${r.modified.map((m) => m.path).join(', ')}`);
  return parts.join('; ');
}
