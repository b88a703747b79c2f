// `sync`: one provisioning cycle.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('run one provisioning cycle: read Entra changes, plan, apply them to Notion')
    .option('--full', 're-read every user and group from Graph instead of the changes since the last cycle')
    .option('--verify', "also read Notion's users, groups and members and repair objects changed there by hand")
    .option('--force-deletes', 'apply deprovisions above the deletion threshold instead of staging them')
    .action(notAvailableYet(program, 'sync', ['entra', 'notion']));
}
