// Runs a command body and turns known failures into a clear message and exit code (never a stack trace for a
// configuration mistake). Exit codes (the README's table, and `sync --help`): 0 ok, 1 failure, 2 configuration or
// usage problem, 3 busy (another process owns the embedded store, or `sync` found the lock held by a stuck cycle),
// 4 partial, 5 held, 6 quarantined, 7 interrupted (SIGTERM/SIGINT/SIGHUP).
import { ConfigError, loadConfig, type ConfigRequirement, type LoadedConfig } from '../config/index.js';
import { createLogger, redactText, registerSecrets, type Logger } from '../observe/index.js';
import { explainScimFailure, scimFailureRemedy, ScimError } from '../scim/index.js';
import { describeDataDirProblem, describeNoStore, describePostgresConnectionProblem, NoStoreError, openStore, StoreBusyError, type Store } from '../store/index.js';

export const exitCodes = { ok: 0, failure: 1, config: 2, busy: 3, partial: 4, held: 5, quarantined: 6, interrupted: 7 } as const;

/** A failure the user can act on: printed as one line, without a stack trace. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failure,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface GlobalOptions {
  config?: string;
}

export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? exitCodes.ok;
  } catch (error) {
    process.exitCode = reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration problems:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return exitCodes.config;
  }
  if (isProblemList(error)) {
    process.stderr.write(`Configuration problems:\n${error.problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}\n`);
    return exitCodes.config;
  }
  if (error instanceof StoreBusyError) {
    process.stderr.write(`${error.message}\n`);
    return exitCodes.busy;
  }
  if (error instanceof CommandError) {
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ScimError) return reportScimFailure(error);
  process.stderr.write(redactText(`Unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`));
  return exitCodes.failure;
}

/**
 * A Notion request that failed outside a cycle (`plan`, `provision`): one line, no stack. A refused token or a URL that
 * leads nowhere is the environment's mistake (2), with the variable to fix; any other answer is a failure (1).
 */
function reportScimFailure(error: ScimError): number {
  process.stderr.write(redactText(`${explainScimFailure(error)}\n`));
  return scimFailureRemedy(error) ? exitCodes.config : exitCodes.failure;
}

/** The mapping compiler reports problems as { path, message } (MappingConfigError): a configuration mistake too. */
function isProblemList(error: unknown): error is { problems: Array<{ path: string; message: string }> } {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) && problems.every((p) => typeof p?.path === 'string' && typeof p?.message === 'string');
}

export function loadCommandConfig(global: GlobalOptions, require: ConfigRequirement[] = []): LoadedConfig {
  return loadConfig({ ...(global.config ? { configPath: global.config } : {}), require });
}

/**
 * The command's logger at LOG_LEVEL. Commands whose stdout is a report for people (`plan`, `check`, `provision`)
 * pass `quiet`: their default level is `warn` instead of `info`, and LOG_LEVEL still wins when set.
 */
export function createCommandLogger(config: LoadedConfig, options: { quiet?: boolean } = {}): Logger {
  const secrets = [config.entra.clientSecret, config.notion.token, config.database.url, config.worker.webhookUrl, config.console.password, config.notifications.clientState];
  registerSecrets(secrets);
  return createLogger({ level: config.logLevel ?? (options.quiet ? 'warn' : 'info'), secrets, ...(config.logFormat ? { format: config.logFormat } : {}) });
}

/**
 * PROTECTED_USERS empty means every member in scope may be changed or removed, workspace owners included; removing
 * an owner revokes the tokens they created (reference notion-scim.md §3.3): say so once when `sync` or `worker` starts.
 */
export function warnWhenNothingIsProtected(config: LoadedConfig, logger: Logger): void {
  if (config.provisioning.protectedUsers.length > 0) return;
  logger.warn({
    event: 'config.no-protected-users',
    message: 'PROTECTED_USERS is empty: every Notion member in scope may be changed or deprovisioned, including the owner of the SCIM token',
    hint: 'set PROTECTED_USERS to the userNames (emails) of the workspace owners and of the SCIM token owner; `entra-notion-sync check` lists the owners it can find',
  });
}

/**
 * What a command does with the store. `run` (cycles, `migrate`, `plan`, which imports into the mirror): creates it
 * when new. `read` (`status`, `logs`, `approve`, `reset`, `console`: they read or decide): a store that nothing has
 * run against is refused, so that a mistyped DATA_DIR or database name is not shown as a healthy, empty store. Both
 * bring an older schema up to date; a current one is not touched, so a role without CREATE on the database can open it.
 */
export type StoreUse = 'run' | 'read';

/** Opens and migrates the configured store; a store that cannot be reached or created is a configuration problem. */
export async function openConfiguredStore(config: LoadedConfig, use: StoreUse = 'run'): Promise<Store> {
  const { url, dataDir } = config.database;
  const location = url ? { databaseUrl: url } : { dataDir };
  const noStore = new CommandError(describeNoStore(location), exitCodes.config);
  const explain = (error: unknown): never => {
    if (error instanceof NoStoreError) throw noStore;
    if (error === noStore) throw error;
    const problem = url ? describePostgresConnectionProblem(error, url) : describeDataDirProblem(error, dataDir);
    if (problem) throw new CommandError(problem, exitCodes.config);
    throw error;
  };
  const store = await openStore(location, { create: use === 'run' }).catch(explain);
  try {
    if (use === 'run') {
      await store.migrate();
    } else {
      // A database (or an initialised DATA_DIR) that no migration ever ran in: nothing has run against it either. The
      // state read once says that and whether to migrate, so a current store is not read a second time by migrate().
      const state = await store.schemaState();
      if (state === 'absent') throw noStore;
      if (state === 'behind') await store.migrate();
    }
  } catch (error) {
    await store.close().catch(() => undefined);
    explain(error);
  }
  return store;
}
