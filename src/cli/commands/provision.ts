// `provision`: on-demand provisioning of one user or group, step by step.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description('provision one user or group now, showing each step (import, scope, match, action)')
    .argument('<user-or-group>', 'userPrincipalName or Entra object id')
    .option('--dry-run', 'show the steps and the action without sending it')
    .option('--json', 'print the steps as JSON')
    .action(notAvailableYet(program, 'provision', ['entra', 'notion']));
}
