// `sim`: runs one of the simulators as its own process, for rehearsing a configuration.
import type { Command } from 'commander';
import { runGraphSimulatorProcess } from '../../sim/graph/index.js';
import { runNotionSimulatorProcess } from '../../sim/notion/index.js';
import { parsePositiveNumber, parseWholeNumber } from '../options.js';
import { runCommand } from '../run-command.js';

interface NotionSimOptions {
  port: string;
  token?: string;
  rateLimit?: string;
}

interface GraphSimOptions {
  users: string;
  groups: string;
  seed: string;
  port: string;
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('run a loopback simulator as a process (prints its URL as JSON, stops on SIGTERM)');
  sim
    .command('graph')
    .description('a Microsoft Graph look-alike with a generated Entra tenant')
    .option('--users <n>', 'users to generate', '200')
    .option('--groups <n>', 'groups to generate', '10')
    .option('--seed <n>', 'generator seed', '1')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .action((options: GraphSimOptions) =>
      runCommand(async () => {
        await runGraphSimulatorProcess({
          users: parseWholeNumber(options.users, '--users', 0, 1_000_000),
          groups: parseWholeNumber(options.groups, '--groups', 0, 100_000),
          seed: parseWholeNumber(options.seed, '--seed'),
          port: parseWholeNumber(options.port, '--port', 0, 65535),
        });
      }),
    );
  sim
    .command('notion')
    .description('a Notion SCIM workspace')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--token <token>', 'bearer token it accepts (default: notion-sim-token)')
    .option('--rate-limit <rps>', 'answer 429 with Retry-After above this many requests per second')
    .action((options: NotionSimOptions) =>
      runCommand(async () => {
        const rps = options.rateLimit === undefined ? undefined : parsePositiveNumber(options.rateLimit, '--rate-limit');
        await runNotionSimulatorProcess({
          port: parseWholeNumber(options.port, '--port', 0, 65535),
          ...(options.token ? { token: options.token } : {}),
          ...(rps ? { rateLimit: { requestsPerSecond: rps, burst: Math.max(1, Math.ceil(rps)) } } : {}),
        });
      }),
    );
}
