// Public face of the SCIM client: the only component that talks to Notion (or another SCIM 2.0 target).
export type { AdaptiveRateSettings, LearntRate } from './adaptive-rate.js';
export type { AdaptiveThrottleOptions, RateMemory } from './throttle.js';
export { createScimClient, type ScimClient, type ScimClientOptions } from './client.js';
export type { LearntMemberBatch, MemberBatchMemory } from './member-batches.js';
export { describeScimFailure, explainScimFailure, neverReachedTarget, scimFailureRemedy, ScimError, type ScimErrorKind, type ScimRequestInfo } from './errors.js';
export type { RequestEvent, RetryOptions } from './exchange.js';
export { escapeFilterValue, eqFilter } from './filter.js';
export type { ListingWalk, PageConsumer } from './listing.js';
export { notionProfile, notionScimBaseUrl, notionUserExtensionUrn } from './notion.js';
export { patchOperationsFromDiff, type PatchDialect, type ScimPatchOperation } from './patch.js';
export type { ScimProfile } from './profile.js';
export { scimResourceFromAttributes, type ScimAttributes, type ScimGroup, type ScimUser, type ScimValue } from './resource.js';
