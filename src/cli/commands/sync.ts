// `sync`: one provisioning cycle; the summary is printed as one JSON line on stdout (after the log lines).
import type { Command } from 'commander';
import { describeSummary, runCycle } from '../../engine/index.js';
import { beginJobMetrics, chooseLogFormat, createProgress } from '../../observe/index.js';
import { createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

interface SyncOptions {
  full?: boolean;
  verify?: boolean;
  forceDeletes?: boolean;
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('run one provisioning cycle: read Entra changes, plan, apply them to Notion; prints the summary as JSON')
    .option('--full', 're-read every user and group from Graph and re-evaluate every object')
    .option('--verify', "also read Notion's users, groups and members and repair objects we own that were changed there by hand")
    .option('--force-deletes', 'apply deprovisions above the deletion threshold instead of staging them, and accept a scope shrink that was held')
    .addHelpText('after', '\nExit codes: 0 succeeded, partial or locked (another process runs a cycle); 1 failed or quarantined; 2 configuration problem.')
    .action((options: SyncOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config);
        const store = await openConfiguredStore(config);
        const jobMetrics = beginJobMetrics(config.target, config.metrics);
        try {
          const summary = await runCycle(
            { config, store, logger, progress: createProgress({ logger, stream: process.stderr }) },
            { mode: options.verify ? 'verify' : options.full ? 'full' : 'incremental', forceDeletes: options.forceDeletes ?? false },
          );
          await jobMetrics.finish(summary).catch((error: unknown) => logger.warn({ event: 'metrics.export-failed', error: error instanceof Error ? error.message : String(error) }));
          if (summary.status === 'locked') {
            process.stderr.write(`Another process is running a cycle for target "${config.target}"; nothing was done.\n`);
            return exitCodes.ok;
          }
          const human = chooseLogFormat(process.stdout.isTTY, config.logFormat) === 'pretty';
          process.stdout.write(human ? `${describeSummary(summary)}\n` : `${JSON.stringify(summary)}\n`);
          return summary.status === 'failed' || summary.status === 'quarantined' ? exitCodes.failure : exitCodes.ok;
        } finally {
          jobMetrics.cancel();
          await store.close();
        }
      }),
    );
}
