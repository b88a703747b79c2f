// `check`: tests the connections to Graph and Notion and the permissions.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('test the Graph and Notion connections: token, service principal, permissions, assignment counts')
    .option('--json', 'print as JSON')
    .action(notAvailableYet(program, 'check', ['entra', 'notion']));
}
