// Public face of the Notion SCIM workspace simulator (reference: docs/reference/notion-scim.md).
export { startNotionSimulator, type NotionSimulator } from './server.js';
export { runNotionSimulatorProcess, type SimulatorProcessIo } from './process.js';
export { defaultOptions as notionSimulatorDefaults, type MembershipsOnRemoval, type NotionFault, type NotionSimulatorOptions, type ResolvedOptions as ResolvedNotionSimulatorOptions } from './options.js';
export { NotionWorkspace, notionRoles, type NewNotionUser, type NotionGroup, type NotionRole, type NotionUser, type NotionUserChanges, type ScimMultiValue, type WorkspaceSnapshot } from './workspace.js';
export type { RequestLogEntry } from './traffic.js';
