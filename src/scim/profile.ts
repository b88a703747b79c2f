// What a SCIM target may differ on: the client is generic RFC 7644 and asks its profile about every quirk.
import type { ScimPatchOperation } from './patch.js';

export interface ScimProfile {
  /** Short name for logs and messages, e.g. "notion". */
  name: string;
  /** Largest `count` a list page may ask for. */
  maxPageSize: number;
  /** Requests per second and requests in flight when the caller does not say. */
  defaultRequestsPerSecond: number;
  defaultMaxConcurrency: number;
  /** Members per group PATCH when the caller does not say: the ceiling the adaptive batch size stays under. */
  defaultMaxMembersPerPatch: number;
  /**
   * Whether a group's POST may carry its first members (RFC 7643 §4.2 makes `members` writable; Entra sends it empty and
   * PATCHes members in). The client still checks each answer and stops sending them if the target refuses or ignores them.
   */
  membersOnCreate: boolean;
  /** Filter attribute to try when `userName eq` is refused or finds nothing, and whether its value is lower-cased. */
  userNameFallbackFilter?: { attribute: string; lowerCaseValue: boolean };
  /** Whether the target stores and echoes `externalId`; when false the engine keeps its own source-id → SCIM-id links. */
  storesExternalId: boolean;
  /** Top-level attributes the target reads on create only: PATCH operations on them are not sent. */
  createOnlyAttributes: readonly string[];
  /** Send add/replace of an extension attribute as a path-less value object instead of a `urn:…:attr` path. */
  extensionPatchWithoutPath: boolean;
  /** Statuses of a member add that mean "already a member" (done), and of a remove that mean "not a member". */
  memberAlreadyPresentStatuses: readonly number[];
  memberAlreadyAbsentStatuses: readonly number[];
  /** True when this failed user PATCH is the target's way of saying the new userName/email belongs to someone else. */
  isUserNameCollision(status: number, operations: readonly ScimPatchOperation[]): boolean;
  /** What each way of deprovisioning does at this target, for the engine's plan and log. */
  deprovisionEffect: { activeFalse: string; delete: string };
}
