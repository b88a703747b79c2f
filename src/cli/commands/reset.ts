// `reset`: clears watermarks, escrows, quarantine, or all of them; links between Entra and Notion objects are kept.
import type { Command } from 'commander';
import { clearEscrows, clearWatermarks, updateTargetState, type Database } from '../../store/index.js';
import { CommandError, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

const parts = ['watermarks', 'escrows', 'quarantine', 'all'] as const;
type Part = (typeof parts)[number];

async function resetPart(db: Database, target: string, part: Exclude<Part, 'all'>): Promise<string> {
  switch (part) {
    case 'watermarks':
      // Also forget the mapping fingerprint: the next cycle re-reads Graph and re-evaluates every object (Entra's restart).
      await updateTargetState(db, target, { mappingFingerprint: null });
      return `watermarks: ${await clearWatermarks(db, target)} cleared; the next cycle re-reads Graph and re-evaluates everything`;
    case 'escrows':
      return `escrows: ${await clearEscrows(db, target)} cleared; failed objects are tried again in the next cycle`;
    case 'quarantine':
      await updateTargetState(db, target, { quarantineReason: null, quarantineSince: null, quarantineNextAttemptAt: null, quarantineSeriesCount: 0 });
      return 'quarantine: lifted';
  }
}

export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('clear sync state; links between Entra and Notion objects are always kept')
    .argument('<what>', 'watermarks (re-read Graph and re-evaluate next cycle), escrows (retry failed objects now), quarantine, or all (all three)')
    .action((what: string) =>
      runCommand(async () => {
        if (!(parts as readonly string[]).includes(what)) throw new CommandError(`reset: expected one of ${parts.join(', ')}, got "${what}"`, exitCodes.config);
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config);
        try {
          const chosen = what === 'all' ? (['watermarks', 'escrows', 'quarantine'] as const) : [what as Exclude<Part, 'all'>];
          for (const part of chosen) process.stdout.write(`${await resetPart(store.db, config.target, part)}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
