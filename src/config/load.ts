// Loads the configuration: the JSON file (comments allowed), then environment variables, which win; validates all
// of it at once so that every problem is reported in one go, by field name.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { environmentNameOf, environmentSettings, environmentValueOf } from './environment.js';
import { JsoncDuplicateKeyError, parseJsonc } from './jsonc.js';
import { mappingConfigSchema, type MappingConfig } from './mapping-schema.js';
import { databaseUrlProblem } from './database-url.js';
import { configSchema, type Config } from './schema.js';

/** A configuration mistake: never a stack trace; the CLI prints each problem on its own line and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** What a command needs beyond the store: the Graph side, the Notion side. */
export type ConfigRequirement = 'entra' | 'notion';

export interface LoadedConfig extends Config {
  /** The mapping file (or inline mapping) with GUEST_USERS, which changes what a guest's `[userPrincipalName]` reads. */
  mapping: MappingConfig & { guestUsers: Config['provisioning']['guestUsers'] };
  /** The config file that was read, if any. */
  configFile?: string;
}

export interface LoadConfigOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  require?: ConfigRequirement[];
}

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const defaultMappingFile = resolve(packageRoot, 'config/notion-mapping.json');

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const configFile = options.configPath ? resolve(cwd, options.configPath) : defaultConfigFile(cwd);
  const raw: Record<string, unknown> = configFile ? readJsonFile(configFile, 'config file', problems) ?? {} : {};

  for (const setting of environmentSettings.filter((s) => s.secret)) {
    if (getPath(raw, setting.path) !== undefined) {
      problems.push(`${setting.path}: secrets are read from the environment only; remove it from ${configFile} and set ${setting.name} (or ${setting.name}_FILE)`);
      deletePath(raw, setting.path);
    }
  }
  for (const setting of environmentSettings) {
    const value = environmentValue(env, setting.name, setting.secret === true, problems);
    if (value !== undefined) setPath(raw, setting.path, environmentValueOf(setting.kind, value));
  }

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues, ''));
  // Read with the environment: node-postgres takes PGHOST and PGSSLMODE from it when the URL leaves them out.
  const database = parsed.success ? parsed.data.database : undefined;
  const databaseProblem = database?.url && !database.allowInsecurePlaintext ? databaseUrlProblem(database.url, env) : undefined;
  if (databaseProblem) problems.push(databaseProblem);
  const mapping = loadMapping(parsed.success ? parsed.data : undefined, raw, cwd, problems);

  // Checked on the raw values so that a missing value is reported together with any invalid one.
  problems.push(...missingRequirements((path) => getPath(raw, path), options.require ?? []));
  if (problems.length > 0 || !parsed.success || !mapping) throw new ConfigError(problems);
  return { ...parsed.data, mapping: { ...mapping, guestUsers: parsed.data.provisioning.guestUsers }, ...(configFile ? { configFile } : {}) };
}

function defaultConfigFile(cwd: string): string | undefined {
  const candidate = resolve(cwd, 'config/sync.json');
  return existsSync(candidate) ? candidate : undefined;
}

function readJsonFile(path: string, what: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${what} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
    return undefined;
  }
  try {
    const value = parseJsonc(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    problems.push(`${what} ${path}: expected a JSON object at the top level`);
  } catch (error) {
    if (error instanceof JsoncDuplicateKeyError) problems.push(`${what} ${path}: ${error.message}`);
    else problems.push(`${what} ${path}: not valid JSON (${(error as Error).message})`);
  }
  return undefined;
}

function environmentValue(env: NodeJS.ProcessEnv, name: string, secret: boolean, problems: string[]): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = secret ? env[`${name}_FILE`] : undefined;
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); it should name a file holding ${name}`);
    return undefined;
  }
}

function loadMapping(config: Config | undefined, raw: Record<string, unknown>, cwd: string, problems: string[]): MappingConfig | undefined {
  const inline = raw.mapping;
  const file = config?.mappingFile ? resolve(cwd, config.mappingFile) : defaultMappingFile;
  const value = inline ?? readJsonFile(file, 'mapping file', problems);
  if (value === undefined) return undefined;
  const parsed = mappingConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Inline mapping problems are already reported by the main schema.
  if (inline === undefined) problems.push(...describeIssues(parsed.error.issues, `mapping file ${file}: `));
  return undefined;
}

function missingRequirements(valueAt: (path: string) => unknown, requirements: ConfigRequirement[]): string[] {
  const problems: string[] = [];
  const need = (path: string, what: string) => {
    if (valueAt(path) === undefined) problems.push(`${label(path)}: required: ${what}`);
  };
  if (requirements.includes('entra')) {
    const auth = valueAt('entra.auth') ?? 'auto';
    need('entra.servicePrincipalId', 'the object id of the enterprise application whose assignments define the scope');
    // A managed identity signs in as itself: no tenant, app registration or credential to configure.
    if (auth !== 'managed-identity') {
      need('entra.tenantId', 'the Entra tenant id (directory id)');
      need('entra.clientId', 'the application (client) id of the app registration used to read Graph');
    }
    const credentialPaths: Record<string, string> = { secret: 'entra.clientSecret', certificate: 'entra.certificatePath', federated: 'entra.federatedTokenFile' };
    if (credentialPaths[String(auth)]) need(credentialPaths[String(auth)]!, `the credential ENTRA_AUTH=${String(auth)} names`);
    const credentials = Object.values(credentialPaths).filter((p) => valueAt(p) !== undefined);
    if (auth === 'auto' && credentials.length === 0)
      problems.push('ENTRA_CLIENT_SECRET / ENTRA_CLIENT_CERTIFICATE_PATH / AZURE_FEDERATED_TOKEN_FILE: required: one credential for the Graph app registration (or ENTRA_AUTH=managed-identity)');
  }
  if (requirements.includes('notion')) need('notion.token', 'the SCIM API token of the Notion workspace');
  return problems;
}

function label(path: string): string {
  // An item of a list (provisioning.protectedUsers.1) is named by the list's variable.
  const envName = environmentNameOf(path.replace(/(\.\d+)+$/, ''));
  return envName ? `${envName} (${path})` : path;
}

function describeIssues(issues: z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling` : issue.message;
    return `${prefix}${path ? label(path) : '(top level)'}: ${message}`;
  });
}

function getPath(object: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object);
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = object;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = (child && typeof child === 'object' ? child : (node[key] = {})) as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

function deletePath(object: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const parent = getPath(object, keys.slice(0, -1).join('.')) ?? (keys.length === 1 ? object : undefined);
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys.at(-1)!];
}
