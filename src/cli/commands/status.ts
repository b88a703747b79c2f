// `status`: recent cycles, quarantine, staged deletes and escrowed objects.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the last cycles, quarantine state, staged deletes and objects waiting for a retry')
    .option('--json', 'print as JSON')
    .action(notAvailableYet(program, 'status', []));
}
