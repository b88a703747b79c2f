// `config`: prints the effective configuration (config file, then environment, defaults filled in) with every secret
// masked, so an operator can see what a run would use without exposing a credential. A configuration mistake is
// reported like any other command's (one line per problem, exit 2), so this doubles as a configuration check.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import { configSchema, defaultMappingFile, environmentSettings, mappingConfigSchema, packageRoot, type LoadedConfig } from '../../config/index.js';
import { formatTable, redactText, registerSecrets } from '../../observe/index.js';
import { loadCommandConfig, runCommand, type GlobalOptions } from '../run-command.js';
import { packageVersion } from '../version.js';

interface ConfigOptions {
  json?: boolean;
}

export type SettingSource = 'environment' | 'config file' | 'default' | 'not set';

export interface EffectiveSetting {
  /** Dotted path in the configuration (the config file's key). */
  key: string;
  /** Environment variable that sets it, when there is one. */
  variable?: string;
  /** Printable value: secrets are `[set]` or `[not set]`, passwords inside URLs are masked. */
  value: string;
  source: SettingSource;
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (file and environment, defaults filled in) with secrets masked')
    .option('--json', 'print as JSON')
    .action((options: ConfigOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>());
        registerSecrets(environmentSettings.filter((s) => s.secret).map((s) => stringAt(config, s.path)));
        const settings = effectiveSettings(config, process.env);
        const configFile = config.configFile ?? null;
        const text = options.json
          ? `${JSON.stringify({ version: packageVersion, configFile, settings })}\n`
          : renderSettings(settings, configFile);
        // Masked above already; redactText also catches a secret value repeated in a non-secret setting.
        process.stdout.write(redactText(text));
      }),
    );
}

/** Every setting of the configuration with its printable value and where it came from (pure but for the mapping file read). */
export function effectiveSettings(config: LoadedConfig, env: NodeJS.ProcessEnv): EffectiveSetting[] {
  const defaults = configSchema.parse({});
  const { mapping, configFile: _configFile, ...values } = config;
  const paths = [...environmentSettings.map((s) => s.path)];
  for (const path of leafPaths(values)) if (!paths.includes(path)) paths.push(path);

  const settings = paths.map((key): EffectiveSetting => {
    const setting = environmentSettings.find((s) => s.path === key);
    const value = valueAt(config, key);
    const fromEnvironment = setting !== undefined && [setting.name, ...(setting.secret ? [`${setting.name}_FILE`] : [])].some((name) => (env[name] ?? '') !== '');
    const source: SettingSource =
      fromEnvironment ? 'environment' : value === undefined ? 'not set' : isDeepStrictEqual(value, valueAt(defaults, key)) ? 'default' : 'config file';
    return { key, ...(setting ? { variable: setting.name } : {}), value: setting?.secret ? (value === undefined ? '[not set]' : '[set]') : printable(value), source };
  });
  if (config.mappingFile === undefined) {
    // GUEST_USERS rides on the loaded mapping (config/load.ts) and is listed as its own setting.
    const { guestUsers: _guestUsers, ...mappingFile } = mapping;
    const isDefault = isDeepStrictEqual(mappingFile, defaultMapping());
    settings.push({ key: 'mapping', value: isDefault ? relative(packageRoot, defaultMappingFile) : 'inline', source: isDefault ? 'default' : 'config file' });
  }
  return settings;
}

function renderSettings(settings: EffectiveSetting[], configFile: string | null): string {
  const rows = settings.map((s) => [s.variable ?? '', s.key, s.value, s.source]);
  return `entra-notion-sync ${packageVersion}\nconfig file: ${configFile ?? 'none'}\n\n${formatTable(['Variable', 'Config key', 'Value', 'Source'], rows)}\n`;
}

/** Arrays as comma lists (as PROTECTED_USERS takes them); a password inside a URL (proxy, Postgres) masked. */
function printable(value: unknown): string {
  if (value === undefined) return '';
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return maskUrlPasswords(text);
}

export function maskUrlPasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@').replace(/([?&]password=)[^&\s]*/gi, '$1***');
}

function leafPaths(object: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(object).flatMap(([key, value]) =>
    value && typeof value === 'object' && !Array.isArray(value) ? leafPaths(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), object);
}

function stringAt(object: unknown, path: string): string | undefined {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : undefined;
}

function defaultMapping(): unknown {
  return mappingConfigSchema.parse(JSON.parse(readFileSync(defaultMappingFile, 'utf8')));
}
