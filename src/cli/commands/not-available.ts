// Commands whose implementation has not landed yet say so plainly instead of pretending.
import { CommandError, loadCommandConfig, runCommand, type GlobalOptions } from '../run-command.js';
import type { ConfigRequirement } from '../../config/index.js';
import type { Command } from 'commander';

export function notAvailableYet(program: Command, name: string, require: ConfigRequirement[]) {
  return () =>
    runCommand(async () => {
      loadCommandConfig(program.opts<GlobalOptions>(), require);
      throw new CommandError(`the "${name}" command is not available yet in this version`);
    });
}
