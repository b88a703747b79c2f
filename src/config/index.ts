// Public face of the configuration: schema, loader, error type and the URL rules (endpoints, DATABASE_URL).
export { configSchema, type Config, type ConfigInput } from './schema.js';
export { ConfigError, loadConfig, packageRoot, defaultMappingFile, type ConfigRequirement, type LoadConfigOptions, type LoadedConfig } from './load.js';
export { environmentSettings, environmentNameOf, type EnvironmentSetting } from './environment.js';
export { endpointUrlProblem, isLoopbackHost } from './urls.js';
export { databaseConnectionOf, databaseUrlProblem, type DatabaseConnection } from './database-url.js';
export * from './mapping-schema.js';
