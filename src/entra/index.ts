// Public face of the Entra source: credentials, the source (import into the mirror, on-demand, check) and scope.
export { credentialFromConfig, EntraConfigError, type EntraCredential } from './credentials.js';
export { createEntraSource, type EntraSource } from './source.js';
export type { ImportOptions, ImportResult } from './import.js';
export { looksLikeObjectId, type OneGroupImport } from './one-group.js';
export { REQUIRED_GRAPH_PERMISSIONS, type GraphAccessReport } from './access-check.js';
export { GraphReadError, type GraphReadErrorKind } from './graph-errors.js';
export { computeScope, type Scope, type ScopeInput, type ScopeOptions } from './scope.js';
export type { PollOptions, PollResult, PolledSource } from './poll.js';
export { createSubscriptionClient, type GraphSubscription, type SubscriptionClient, type SubscriptionRequest } from './subscriptions.js';
