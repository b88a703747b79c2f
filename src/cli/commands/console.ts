// `console`: serves the web console on its own port, reading the same store as `sync` and `worker`.
import type { Command } from 'commander';
import { isLoopbackHost } from '../../config/index.js';
import { consoleSetupProblem, startConsoleServer } from '../../console/index.js';
import { registerSecrets } from '../../observe/index.js';
import { parseWholeNumber } from '../options.js';
import { onStopSignal } from '../stop-signal.js';
import { runConsoleDemo } from './console-demo.js';
import { CommandError, createCommandLogger, exitCodes, loadCommandConfig, openConfiguredStore, runCommand, type GlobalOptions } from '../run-command.js';

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the web console (overview, provisioning log, staged deletions, escrow, cycles) until stopped')
    .option('--host <host>', 'interface to listen on; anything but loopback requires CONSOLE_PASSWORD (default: CONSOLE_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: CONSOLE_PORT or 8470)')
    .option('--demo', 'run the demo against the built-in simulators first, then serve its store on loopback (npm run demo:console)')
    .addHelpText('after', '\nShowing what happened needs only the store; "provision now" also needs the Graph and Notion credentials.\nWith the embedded store (no DATABASE_URL) it cannot run beside a worker on the same DATA_DIR: set CONSOLE_ENABLED=true on the worker instead.')
    .action((options: { host?: string; port?: string; demo?: boolean }) =>
      runCommand(async () => {
        if (options.demo) return runConsoleDemo(options.port === undefined ? 8470 : parseWholeNumber(options.port, '--port', 0, 65535));
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        const host = options.host ?? config.console.host;
        const port = options.port === undefined ? config.console.port : parseWholeNumber(options.port, '--port', 0, 65535);
        const problem = consoleSetupProblem(isLoopbackHost(host), config.console.password);
        if (problem) throw new CommandError(`console: ${problem}`, exitCodes.config);
        const logger = createCommandLogger(config);
        registerSecrets([config.console.password]);
        // It shows a store and decides on what it holds: one that nothing has run against is refused, as by `status`.
        const store = await openConfiguredStore(config, 'read');
        let server;
        try {
          server = await startConsoleServer({ config, store, logger, host, port });
        } catch (error) {
          await store.close();
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CommandError(`console: port ${port} on ${host} is in use; choose another with --port or CONSOLE_PORT`, exitCodes.config);
          throw error;
        }
        process.stdout.write(`Console: ${server.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          const stopping = onStopSignal(() => {
            stopping.dispose();
            resolve();
          });
        });
        await server.close();
        await store.close();
      }),
    );
}
