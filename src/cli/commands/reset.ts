// `reset`: clears watermarks, escrows or all state except the links to Notion objects.
import type { Command } from 'commander';
import { notAvailableYet } from './not-available.js';

export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('clear sync state; links between Entra and Notion objects are always kept')
    .argument('<what>', 'watermarks (re-read Graph next cycle), escrows (retry failed objects now), quarantine, or all')
    .action(notAvailableYet(program, 'reset', []));
}
