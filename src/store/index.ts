// Public face of the store: opening, migrating and locking it, the schema, and the repository functions.
export { openStore, type Database, type Queryable, type Store, type StoreLocation, type Transaction } from './database.js';
export { StoreBusyError } from './data-dir-lock.js';
export { TargetLockLostError, type TargetLock } from './target-lock.js';
export * as tables from './schema.js';
export type * from './schema.js';
export * from './cycles.js';
export * from './provisioning-log.js';
export * from './target-state.js';
export * from './watermarks.js';
export * from './rate-limit.js';
export * from './status.js';
export * from './mirror.js';
export * from './links.js';
export * from './log-search.js';
export * from './console-reads.js';
export { describeDataDirProblem, describePostgresConnectionProblem } from './connection-problem.js';
