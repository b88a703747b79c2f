// `approve`: releases deprovisions staged by the deletion guard (or drops them with --reject).
import type { Command } from 'commander';
import { approveStagedDeprovisions, rejectStagedDeprovisions } from '../../store/index.js';
import { loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve staged deletes so that the next cycle applies them')
    .argument('[ids...]', 'Entra object ids to approve (default: all staged)')
    .option('--reject', 'drop the staged deletes instead: those objects stay as they are in Notion and are no longer managed (matched again if they come back into scope)')
    .action((ids: string[], options: { reject?: boolean }) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config);
        try {
          if (options.reject) {
            const n = await rejectStagedDeprovisions(store.db, config.target, ids);
            process.stdout.write(`Rejected ${n} staged delete(s); those objects are left as they are in Notion.\n`);
          } else {
            const n = await approveStagedDeprovisions(store.db, config.target, ids);
            process.stdout.write(`Approved ${n} staged delete(s); the next cycle applies them.\n`);
          }
        } finally {
          await store.close();
        }
      }),
    );
}
