// `plan`: the dry run: the same planner as `sync`; Notion is read when matching needs it, nothing is written.
import type { Command } from 'commander';
import { planCycle, renderPlanTable } from '../../engine/index.js';
import { createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

/** The shared exit-code contract: 4 = partial (here: the plan was made from an incomplete Entra import). */
const planIncompleteExitCode = 4;

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what the next cycle would change in Notion, without changing anything; exits 4 when the Entra import was incomplete')
    .option('--full', 'plan from a full re-read of Graph, evaluating every object')
    .option('--verify', "also compare with Notion's users, groups and members and plan the repairs")
    .option('--json', 'print the plan as JSON')
    .action((options: { full?: boolean; verify?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config, { quiet: true });
        const store = await openConfiguredStore(config);
        try {
          const report = await planCycle({ config, store, logger }, { mode: options.verify ? 'verify' : options.full ? 'full' : 'incremental' });
          // A plan over a partial read is not a plan of the next cycle: say so, and exit 4 as `sync` does for partial.
          const incomplete = report.importComplete || report.scopeShrinkHeld ? undefined : (report.importIncompleteReason ?? 'unknown reason');
          if (options.json) {
            process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          } else {
            process.stdout.write(`Evaluated ${report.evaluated.users} user(s) and ${report.evaluated.groups} group(s).\n`);
            process.stdout.write(renderPlanTable(report.plan, incomplete));
          }
          return incomplete === undefined ? exitCodes.ok : planIncompleteExitCode;
        } finally {
          await store.close();
        }
      }),
    );
}
