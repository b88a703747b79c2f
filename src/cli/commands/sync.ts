// `sync`: one provisioning cycle; the summary is printed as one JSON line on stdout (after the log lines), the exit
// code tells a scheduler (CronJob, Container Apps job) how it went, and webhook alerts go out as from the worker.
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/index.js';
import { describeLocked, describeSummary, runCycle, type CycleSummary } from '../../engine/index.js';
import { beginJobMetrics, chooseLogFormat, createProgress, type Logger } from '../../observe/index.js';
import type { Store } from '../../store/index.js';
import { notifyAlertChanges, readAlertFacts } from '../../worker/index.js';
import { createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, warnWhenNothingIsProtected, type GlobalOptions } from '../run-command.js';
import { onStopSignal } from '../stop-signal.js';

interface SyncOptions {
  full?: boolean;
  verify?: boolean;
  forceDeletes?: boolean;
}

/** The contract with schedulers (README "Exit codes"): one code per cycle status. */
const exitCodeOf: Record<CycleSummary['status'] | 'held', number> = {
  succeeded: exitCodes.ok,
  locked: exitCodes.ok,
  failed: exitCodes.failure,
  partial: exitCodes.partial,
  held: exitCodes.held,
  quarantined: exitCodes.quarantined,
  interrupted: exitCodes.interrupted,
};

export const syncExitCodesHelp = `
Exit codes:
  0  succeeded, or locked (another replica is running a cycle for this target; nothing was done)
  1  failed (nothing was applied, or the store was lost during the cycle)
  2  configuration or usage problem
  3  busy: another process owns the embedded store, or holds this target's lock with a cycle that has shown no
     progress for 30 minutes (stuck: stop or restart it)
  4  partial (an incomplete Entra import, failed operations, or objects waiting in escrow)
  5  held (deprovisions staged for \`approve\`, held by a suspicious scope shrink, or Notion members waiting for \`approve --unaccounted\`)
  6  quarantined (see \`status\`; \`reset quarantine\` once the cause is fixed)
  7  interrupted by SIGTERM, SIGINT or SIGHUP (the request in flight finished; the next run continues)`;

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('run one provisioning cycle: read Entra changes, plan, apply them to Notion; prints the summary as JSON')
    .option('--full', 're-read every user and group from Graph and re-evaluate every object')
    .option('--verify', "also read Notion's users, groups and members and repair objects we own that were changed there by hand")
    .option('--force-deletes', 'apply deprovisions above the deletion threshold instead of staging them, and accept a scope shrink that was held')
    .addHelpText('after', syncExitCodesHelp)
    .action((options: SyncOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config);
        warnWhenNothingIsProtected(config, logger);
        const store = await openConfiguredStore(config);
        const jobMetrics = beginJobMetrics(config.target, config.metrics);
        // SIGTERM/SIGINT/SIGHUP stop the cycle as in the worker: no new operation starts, the one in flight finishes,
        // the cycle is recorded `interrupted`. A second signal leaves at once (the next run marks it interrupted).
        const stop = new AbortController();
        const stopping = onStopSignal((signal, count) => {
          if (count > 1) process.exit(exitCodes.interrupted);
          logger.warn({ event: 'sync.signal', signal, message: 'stopping: the request in flight finishes, then the cycle ends interrupted' });
          stop.abort();
        });
        try {
          const summary = await runCycle(
            { config, store, logger, progress: createProgress({ logger, stream: process.stderr }), signal: stop.signal },
            { mode: options.verify ? 'verify' : options.full ? 'full' : 'incremental', forceDeletes: options.forceDeletes ?? false },
          );
          await jobMetrics.finish(summary).catch((error: unknown) => logger.warn({ event: 'metrics.export-failed', error: error instanceof Error ? error.message : String(error) }));
          if (summary.status === 'locked') {
            const held = describeLocked(config.target, summary.heldBy, summary.startedAt);
            if (summary.heldBy?.stalled) logger.error({ event: 'sync.lock-stalled', heldBy: summary.heldBy, message: held });
            process.stderr.write(`${held}\n`);
            return summary.heldBy?.stalled ? exitCodes.busy : exitCodes.ok;
          }
          const human = chooseLogFormat(process.stdout.isTTY, config.logFormat) === 'pretty';
          process.stdout.write(human ? `${describeSummary(summary)}\n` : `${JSON.stringify(summary)}\n`);
          if (summary.status === 'failed') process.stderr.write(`The cycle failed: ${summary.error ?? 'see the log above'}\n`);
          await sendAlerts(config, store, logger, summary);
          return exitCodeOf[summary.status];
        } finally {
          jobMetrics.cancel();
          stopping.dispose();
          await store.close().catch(() => undefined);
        }
      }),
    );
}

/** The worker's alerts, from a one-shot run: the notified state lives in the store, so nothing is sent twice. */
async function sendAlerts(config: LoadedConfig, store: Store, logger: Logger, summary: CycleSummary): Promise<void> {
  const webhookUrl = config.worker.webhookUrl;
  if (!webhookUrl) return;
  try {
    const facts = await readAlertFacts(store, config.target, { status: summary.status, error: summary.error });
    await notifyAlertChanges({ store, target: config.target, logger, webhookUrl, staleAfterIntervals: config.worker.staleAfterIntervals }, facts);
  } catch (error) {
    // The store was lost with the cycle: the next run sends what is due.
    logger.warn({ event: 'alert.failed', error: error instanceof Error ? error.message : String(error) });
  }
}
