// `demo`: a full sync against the built-in simulators on a fresh embedded store.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run an initial and an incremental sync against the built-in Graph and Notion simulators')
    .option('--users <n>', 'users in the generated tenant', '200')
    .option('--groups <n>', 'groups in the generated tenant', '10')
    .option('--seed <n>', 'seed of the generated tenant', '1')
    .action(notAvailableYet(program, 'demo', []));
}
