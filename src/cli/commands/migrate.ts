// `migrate`: applies the store's migrations (also done automatically before every cycle).
import type { Command } from 'commander';
import { loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply the database migrations (Postgres at DATABASE_URL, or the embedded store in DATA_DIR)')
    .action(() =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const store = await openConfiguredStore(config);
        await store.close();
        process.stdout.write(`migrations applied (${store.kind === 'postgres' ? 'Postgres' : `embedded store in ${config.database.dataDir}`})\n`);
      }),
    );
}
