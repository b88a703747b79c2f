#!/usr/bin/env node
// The entra-notion-sync command line: one small file per command in ./commands.
import { Command } from 'commander';
import { installOutputRedaction } from '../observe/index.js';
import { registerApprove } from './commands/approve.js';
import { registerCheck } from './commands/check.js';
import { registerConfig } from './commands/config.js';
import { registerConsole } from './commands/console.js';
import { registerDemo } from './commands/demo.js';
import { registerLogs } from './commands/logs.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPlan } from './commands/plan.js';
import { registerProvision } from './commands/provision.js';
import { registerReset } from './commands/reset.js';
import { registerSim } from './commands/sim.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerWorker } from './commands/worker.js';
import { packageVersion } from './version.js';
import { exitCodes } from './run-command.js';

// Before anything prints: every write to stdout/stderr is redacted (secrets from the environment, secret patterns).
installOutputRedaction();

const program = new Command('entra-notion-sync')
  .description('Provision users and groups from Microsoft Entra ID into Notion over SCIM 2.0')
  .version(packageVersion, '-V, --version', 'print the version')
  .option('-c, --config <path>', 'configuration file (JSON, comments allowed); default config/sync.json when present')
  .showHelpAfterError('(run with --help for usage)')
  // A usage mistake (unknown command or option, bad or missing argument) exits 2 like a configuration mistake;
  // commander's own default is 1, which `sync` uses for a failed cycle. Set before the commands, which inherit it.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? exitCodes.ok : exitCodes.config));

for (const register of [registerSync, registerPlan, registerWorker, registerProvision, registerStatus, registerLogs, registerApprove, registerReset, registerCheck, registerConfig, registerMigrate, registerDemo, registerSim, registerConsole]) {
  register(program);
}

await program.parseAsync(process.argv);
