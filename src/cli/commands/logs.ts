// `logs`: the provisioning log, filtered.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the provisioning log: one row per change and its outcome')
    .option('--user <name-or-id>', 'only this user or group (userName, display name, Entra id or Notion id)')
    .option('--action <action>', 'only this action (create, update, disable, enable, delete, staged-delete, link, add-members, remove-members, skip)')
    .option('--status <status>', 'only this status (success, failure, skipped, warning)')
    .option('--cycle <id>', 'only this cycle')
    .option('--limit <n>', 'at most this many rows', '100')
    .option('--json', 'print as JSON lines')
    .action(notAvailableYet(program, 'logs', []));
}
