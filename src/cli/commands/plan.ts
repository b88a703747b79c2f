// `plan`: the dry run: the same planner as `sync`, nothing sent to Notion.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what the next cycle would change in Notion, without changing anything')
    .option('--full', 'plan from a full re-read of Graph')
    .option('--json', 'print the plan as JSON')
    .action(notAvailableYet(program, 'plan', ['entra', 'notion']));
}
