// `worker`: runs cycles on the schedule until stopped.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a cycle at start and then on SYNC_SCHEDULE (default every 40 minutes) until SIGTERM')
    .action(notAvailableYet(program, 'worker', ['entra', 'notion']));
}
