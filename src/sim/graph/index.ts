// Public face of the Graph simulator: the seeded tenant generator, the tenant, and the loopback server.
export { generateTenant, type GenerateTenantOptions } from './generate.js';
export { SimTenant } from './tenant.js';
export {
  DEFAULT_ACCESS_ROLE_ID,
  type SimAssignment, type SimGroup, type SimGroupProps, type SimUser, type SimUserProps,
} from './model.js';
export { USER_ROLE_ID } from './directory-routes.js';
export { DEFAULT_PERMISSIONS, startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './server.js';
export { SubscriptionService, type DeliveryRecord, type LifecycleEvent, type SimSubscription } from './subscriptions.js';
export type { TenantChange } from './tenant.js';
export type { ExpiredAnswer } from './delta.js';
export type { FaultSpec, RequestRecord } from './traffic.js';
export { runGraphSimulatorProcess, type GraphSimulatorProcessOptions } from './process.js';
export { simulatorCaPath } from './tls-files.js';
