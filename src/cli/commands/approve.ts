// `approve`: releases deprovisions staged by the deletion guard (or drops them with --reject), logged with who ran it;
// with --unaccounted, decides the Notion members an initial cycle could not account for.
import type { Command } from 'commander';
import { actorOf, decideStagedDeletes, decideUnaccountedMembers, NotStagedError, NotUnaccountedError } from '../../engine/index.js';
import type { LoadedConfig } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import { CommandError, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

interface ApproveOptions {
  reject?: boolean;
  unaccounted?: boolean;
  actor?: string;
}

async function decideStaged(store: Store, config: LoadedConfig, ids: string[], options: ApproveOptions): Promise<string> {
  const reject = options.reject ?? false;
  const decided = await decideStagedDeletes(store.db, config.target, { ids, reject, actor: actorOf(options.actor) }).catch((error: unknown) => {
    throw error instanceof NotStagedError ? new CommandError(`approve: ${error.message}`, exitCodes.config) : error;
  });
  return reject
    ? `Rejected ${decided} staged delete(s); those objects are left as they are in Notion.\n`
    : `Approved ${decided} staged delete(s); the next cycle applies them.\n`;
}

async function decideUnaccounted(store: Store, config: LoadedConfig, ids: string[], options: ApproveOptions): Promise<string> {
  const reject = options.reject ?? false;
  const deprovisionAction = config.provisioning.deprovisionAction;
  if (!reject && deprovisionAction === 'none') {
    throw new CommandError('approve --unaccounted: DEPROVISION_ACTION is "none", so nothing would deactivate them; set it to "disable" or "delete", or use --reject', exitCodes.config);
  }
  const decided = await decideUnaccountedMembers(store.db, config.target, { ids, reject, actor: actorOf(options.actor), deprovisionAction }).catch((error: unknown) => {
    throw error instanceof NotUnaccountedError ? new CommandError(`approve --unaccounted: ${error.message}`, exitCodes.config) : error;
  });
  return reject
    ? `Left ${decided} unaccounted Notion member(s) as they are; they are not reported again.\n`
    : `Approved ${deprovisionAction} of ${decided} unaccounted Notion member(s); the next cycle applies it.\n`;
}

export function registerApprove(program: Command): void {
  program
    .command('approve')
    .description('approve staged deletes so that the next cycle applies them (written to the provisioning log with who ran it)')
    .argument('[ids...]', 'Entra object ids to approve (default: all staged), or with --unaccounted Notion ids or userNames; an id that is not waiting is an error and nothing is decided')
    .option('--reject', 'drop the staged deletes instead: those objects stay as they are in Notion and are no longer managed (matched again if they come back into scope)')
    .option(
      '--unaccounted',
      'decide the Notion members a first cycle could not account for (in Notion, not in scope, not protected: `logs --action unaccounted` lists them): the next cycle applies DEPROVISION_ACTION to them; with --reject they are left as they are and not reported again',
    )
    .option('--actor <name>', 'who is approving, for the provisioning log (default: the OS user)')
    .action((ids: string[], options: ApproveOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config, 'read');
        try {
          process.stdout.write(options.unaccounted ? await decideUnaccounted(store, config, ids, options) : await decideStaged(store, config, ids, options));
        } finally {
          await store.close();
        }
      }),
    );
}
