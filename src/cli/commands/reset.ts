// `reset`: clears watermarks, escrows, quarantine, or all of them; links between Entra and Notion objects are kept.
// Each reset is written to the provisioning log with who ran it.
import type { Command } from 'commander';
import { actorOf, resetEscrows, resetQuarantine, resetWatermarks } from '../../engine/index.js';
import type { Database } from '../../store/index.js';
import { CommandError, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

const parts = ['watermarks', 'escrows', 'quarantine', 'all'] as const;
type Part = (typeof parts)[number];

async function resetPart(db: Database, target: string, part: Exclude<Part, 'all'>, actor: string): Promise<string> {
  switch (part) {
    case 'watermarks':
      return `watermarks: ${await resetWatermarks(db, target, actor)} cleared; the next cycle re-reads Graph and re-evaluates everything`;
    case 'escrows':
      return `escrows: ${await resetEscrows(db, target, actor)} cleared; failed objects are tried again in the next cycle`;
    case 'quarantine':
      return (await resetQuarantine(db, target, actor)) ? 'quarantine: lifted; the next cycle runs at its usual time' : 'quarantine: none is set; nothing to lift';
  }
}

export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('clear sync state (written to the provisioning log with who ran it); links between Entra and Notion objects are always kept')
    .argument('<what>', 'watermarks (re-read Graph and re-evaluate next cycle), escrows (retry failed objects in the next cycle), quarantine, or all (all three)')
    .option('--actor <name>', 'who is resetting, for the provisioning log (default: the OS user)')
    .action((what: string, options: { actor?: string }) =>
      runCommand(async () => {
        if (!(parts as readonly string[]).includes(what)) throw new CommandError(`reset: expected one of ${parts.join(', ')}, got "${what}"`, exitCodes.config);
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config, 'read');
        try {
          const actor = actorOf(options.actor);
          const chosen = what === 'all' ? (['watermarks', 'escrows', 'quarantine'] as const) : [what as Exclude<Part, 'all'>];
          for (const part of chosen) process.stdout.write(`${await resetPart(store.db, config.target, part, actor)}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
