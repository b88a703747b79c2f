// `approve`: releases deprovisions staged by the deletion guard (or drops them with --reject), logged with who ran it.
import type { Command } from 'commander';
import { actorOf, decideStagedDeletes, NotStagedError } from '../../engine/index.js';
import { CommandError, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve staged deletes so that the next cycle applies them (written to the provisioning log with who ran it)')
    .argument('[ids...]', 'Entra object ids to approve (default: all staged); an id that is not staged is an error and nothing is decided')
    .option('--reject', 'drop the staged deletes instead: those objects stay as they are in Notion and are no longer managed (matched again if they come back into scope)')
    .option('--actor <name>', 'who is approving, for the provisioning log (default: the OS user)')
    .action((ids: string[], options: { reject?: boolean; actor?: string }) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config);
        try {
          const reject = options.reject ?? false;
          const decided = await decideStagedDeletes(store.db, config.target, { ids, reject, actor: actorOf(options.actor) }).catch((error: unknown) => {
            throw error instanceof NotStagedError ? new CommandError(`approve: ${error.message}`, exitCodes.config) : error;
          });
          process.stdout.write(
            reject
              ? `Rejected ${decided.length} staged delete(s); those objects are left as they are in Notion.\n`
              : `Approved ${decided.length} staged delete(s); the next cycle applies them.\n`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
