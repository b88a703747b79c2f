// `sim`: runs one of the simulators as its own process, for rehearsing a configuration.
import type { Command } from 'commander';
import { runGraphSimulatorProcess } from '../../sim/graph/index.js';
import { runNotionSimulatorProcess } from '../../sim/notion/index.js';
import { positiveNumber, wholeNumber } from '../options.js';
import { CommandError, exitCodes, runCommand } from '../run-command.js';

interface NotionSimOptions {
  port: number;
  token?: string;
  rateLimit?: number;
}

interface GraphSimOptions {
  users: number;
  groups: number;
  seed: number;
  port: number;
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('run a loopback simulator as a process (prints its URL as JSON, stops on SIGTERM)');
  sim
    .command('graph')
    .description('a Microsoft Graph look-alike with a generated Entra tenant')
    .option('--users <n>', 'users to generate', wholeNumber(0, 1_000_000), 200)
    .option('--groups <n>', 'groups to generate', wholeNumber(0, 100_000), 10)
    .option('--seed <n>', 'generator seed', wholeNumber(), 1)
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', wholeNumber(0, 65535), 0)
    .action((options: GraphSimOptions) =>
      runCommand(async () => {
        await runGraphSimulatorProcess({
          users: options.users,
          groups: options.groups,
          seed: options.seed,
          port: options.port,
        }).catch((error: unknown) => explainStartFailure(error, options.port));
      }),
    );
  sim
    .command('notion')
    .description('a Notion SCIM workspace')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', wholeNumber(0, 65535), 0)
    .option('--token <token>', 'bearer token it accepts (default: notion-sim-token)')
    .option('--rate-limit <rps>', 'answer 429 with Retry-After above this many requests per second', positiveNumber)
    .action((options: NotionSimOptions) =>
      runCommand(async () => {
        const rps = options.rateLimit;
        await runNotionSimulatorProcess({
          port: options.port,
          ...(options.token ? { token: options.token } : {}),
          ...(rps ? { rateLimit: { requestsPerSecond: rps, burst: Math.max(1, Math.ceil(rps)) } } : {}),
        }).catch((error: unknown) => explainStartFailure(error, options.port));
      }),
    );
}

/** A busy port is a usage mistake: one line naming it, exit 2 (a missing TLS file is reported where it is read). */
function explainStartFailure(error: unknown, port: number): never {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    throw new CommandError(`--port ${port}: the port is already in use on 127.0.0.1; pick another or use --port 0 for any free port`, exitCodes.config);
  }
  throw error;
}
