// `approve`: releases deprovisions staged by the deletion guard.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve staged deletes so that the next cycle applies them')
    .argument('[ids...]', 'Entra object ids to approve (default: all staged)')
    .option('--reject', 'drop the staged deletes instead (the users stay as they are in Notion)')
    .action(notAvailableYet(program, 'approve', []));
}
