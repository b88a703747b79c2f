// The store's tables (drizzle schema; the same SQL migrations run on Postgres and on embedded PGlite).
// Every table carries `target`, the configured name of a Notion workspace, so one database can serve several.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Per target and Graph stream: the deltaLink of the last complete read, or the nextLink checkpoint mid-read. */
export const watermarks = pgTable(
  'watermarks',
  {
    target: text('target').notNull(),
    /** `users`, `groups` (delta streams). */
    stream: text('stream').notNull(),
    deltaLink: text('delta_link'),
    /** Set while a read is under way: the page to continue from after a crash. */
    nextLink: text('next_link'),
    /** The read under way started without a deltaLink: objects not seen by its end are gone (mark and sweep). */
    fullRead: boolean('full_read').notNull().default(false),
    /** Incremented at the start of each full read; mirror rows seen by it carry the same number. */
    readGeneration: integer('read_generation').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.target, t.stream] })],
);

/** Per target: state that is not a stream position (config fingerprint, quarantine, last complete import). */
export const targetState = pgTable('target_state', {
  target: text('target').primaryKey(),
  /** Hash of the mapping and scoping configuration that the links were evaluated with. */
  mappingFingerprint: text('mapping_fingerprint'),
  /** Of the mapping and the provisioning settings the planner decides by: a change re-evaluates every object. */
  decisionFingerprint: text('decision_fingerprint'),
  lastCompleteImportAt: at('last_complete_import_at'),
  /** Users in scope after the last complete import: the base for the scope-shrink hold. */
  lastScopeSize: integer('last_scope_size'),
  quarantineReason: text('quarantine_reason'),
  quarantineSince: at('quarantine_since'),
  quarantineNextAttemptAt: at('quarantine_next_attempt_at'),
  quarantineSeriesCount: integer('quarantine_series_count').notNull().default(0),
  /** SHA-256 of the credentials and configuration in force when the quarantine began (never the secrets themselves). */
  quarantineFingerprint: text('quarantine_fingerprint'),
  /**
   * When Notion last answered the token (a cycle's requests, or the check a quiet cycle sends when this is an hour old):
   * a revoked token is found within the hour even when nothing changes (cycle.ts).
   */
  notionCheckedAt: at('notion_checked_at'),
  /** Last alert state notified through the webhook (at most one notification per change). */
  notifiedState: jsonb('notified_state').$type<Record<string, string>>(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** Mirror of Entra users: the attributes the mapping reads, as Graph returned them. */
export const sourceUsers = pgTable(
  'source_users',
  {
    target: text('target').notNull(),
    id: text('id').notNull(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull(),
    /** `changed` = soft-deleted (restorable), `deleted` = hard-deleted; null while the user exists. */
    removedReason: text('removed_reason'),
    changedAt: at('changed_at').notNull().defaultNow(),
    /** Needs evaluation in the next cycle. */
    dirty: boolean('dirty').notNull().default(true),
    seenGeneration: integer('seen_generation').notNull().default(0),
    /**
     * Whether the object was in scope when a completed cycle last evaluated it (null: never). An object in scope and not
     * linked that was evaluated so (a disabled user, one a scoping filter or GUEST_USERS leaves out) is not evaluated
     * again every cycle: only when it changes, its scope changes, or the decisions' configuration does.
     */
    evaluatedInScope: boolean('evaluated_in_scope'),
  },
  (t) => [primaryKey({ columns: [t.target, t.id] }), index('source_users_dirty').on(t.target).where(sql`${t.dirty}`)],
);

export const sourceGroups = pgTable(
  'source_groups',
  {
    target: text('target').notNull(),
    id: text('id').notNull(),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull(),
    removedReason: text('removed_reason'),
    changedAt: at('changed_at').notNull().defaultNow(),
    dirty: boolean('dirty').notNull().default(true),
    seenGeneration: integer('seen_generation').notNull().default(0),
    /** As for users. */
    evaluatedInScope: boolean('evaluated_in_scope'),
  },
  (t) => [primaryKey({ columns: [t.target, t.id] }), index('source_groups_dirty').on(t.target).where(sql`${t.dirty}`)],
);

/** Group → member edges as Entra has them (`member_type`: user or group). */
export const sourceMemberships = pgTable(
  'source_memberships',
  {
    target: text('target').notNull(),
    groupId: text('group_id').notNull(),
    memberId: text('member_id').notNull(),
    memberType: text('member_type').notNull(),
    seenGeneration: integer('seen_generation').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.target, t.groupId, t.memberId] }), index('source_memberships_member').on(t.target, t.memberId)],
);

/** An app role assignment's columns: in the mirror, and in the scratch of one listing. */
const assignmentColumns = () => ({
  target: text('target').notNull(),
  /** The appRoleAssignment id. */
  id: text('id').notNull(),
  principalId: text('principal_id').notNull(),
  /** `User` or `Group`, as Graph says. */
  principalType: text('principal_type').notNull(),
  appRoleId: text('app_role_id').notNull(),
  principalDisplayName: text('principal_display_name'),
});

/** App role assignments of the enterprise app (re-listed each cycle: Graph has no delta for them). */
export const sourceAssignments = pgTable(
  'source_assignments',
  assignmentColumns(),
  (t) => [primaryKey({ columns: [t.target, t.id] }), index('source_assignments_principal').on(t.target, t.principalId)],
);

/**
 * Scratch for one assignment listing (issue 14: bounded memory): Graph has no delta for assignments, so each listing
 * is complete; its pages are written here as they arrive and `source_assignments` is set to them in SQL once the
 * listing ends, so no cycle holds every assignment in memory. Emptied before and after each listing.
 */
export const sourceAssignmentsListing = pgTable('source_assignments_listing', assignmentColumns(), (t) => [primaryKey({ columns: [t.target, t.id] })]);

/**
 * Scratch for one Notion listing (issue 14: bounded memory): the pages of a `/Users` or `/Groups` walk, written as
 * they arrive, so that matching, the unaccounted-member check and verify read what they need by key instead of holding
 * the workspace in memory. Emptied before each listing and after the cycle that read it.
 */
export const notionListing = pgTable(
  'notion_listing',
  {
    target: text('target').notNull(),
    /** `user` or `group`. */
    objectType: text('object_type').notNull(),
    notionId: text('notion_id').notNull(),
    /** Lower-cased userName (users) or displayName (groups): the matching key. */
    matchName: text('match_name').notNull(),
    /** Users: every email value, lower-cased (matching by email). */
    emails: text('emails').array().notNull().default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    /** Users: a workspace owner (Notion's user extension role), never reported as unaccounted. */
    owner: boolean('owner').notNull().default(false),
    /** Users: some in-scope active Entra user's matching values reach it (set as the cycle evaluates). */
    accounted: boolean('accounted').notNull().default(false),
    /** The resource as Notion answered it (verify and adoption read its attributes). */
    resource: jsonb('resource').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.objectType, t.notionId] }),
    index('notion_listing_match_name').on(t.target, t.objectType, t.matchName),
    // Without the pending list: a GIN index defers new entries to a list every search scans whole, and a cycle writes its
    // listing and searches it key by key before anything merges that list (1.7 s for 1,000 keys at 100,000 users).
    index('notion_listing_emails').using('gin', t.emails).with({ fastupdate: false }),
  ],
);

/** What Notion has from us, per source object: the key is the Entra object id and the SCIM id. */
export const links = pgTable(
  'links',
  {
    target: text('target').notNull(),
    /** `user` or `group`. */
    objectType: text('object_type').notNull(),
    sourceId: text('source_id').notNull(),
    notionId: text('notion_id'),
    /** active, disabled, deleted, pending-create (a POST whose outcome is not yet known), conflict. */
    state: text('state').notNull(),
    /** The attributes last applied to Notion (flat SCIM paths) and their hash. */
    applied: jsonb('applied').$type<Record<string, unknown>>().notNull().default({}),
    appliedHash: text('applied_hash'),
    /** A deprovision held by the deletion guard: `disable` or `delete`; cleared by approve or when no longer wanted. */
    stagedAction: text('staged_action'),
    stagedAt: at('staged_at'),
    /** Escrow: failed attempts in a row, when to try again, and why it failed. */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    lastErrorKind: text('last_error_kind'),
    lastError: text('last_error'),
    pendingSince: at('pending_since'),
    /**
     * Groups only: when the group left scope (unassigned, out of scope or deleted in Entra). While set, the group is
     * kept in Notion emptied of our members (its page and teamspace permissions survive) and linked, so that a return
     * re-links it; it is deleted once GROUP_DELETE_GRACE_DAYS have passed (when group deletes are on).
     */
    retiringSince: at('retiring_since'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.target, t.objectType, t.sourceId] }),
    uniqueIndex('links_notion_id').on(t.target, t.objectType, t.notionId),
    // Open work (scope-queries.ts readCandidates, status.ts countOpenWork, link-reads.ts readApprovedStaged): a few
    // rows, found without reading every link.
    index('links_open_work').on(t.target).where(sql`${t.stagedAction} is not null or ${t.attempts} > 0 or ${t.state} in ('unaccounted', 'pending-create') or ${t.retiringSince} is not null`),
  ],
);

/** Group → user edges that Notion has from us (by Entra ids; the links give the Notion ids). */
export const appliedMemberships = pgTable(
  'applied_memberships',
  {
    target: text('target').notNull(),
    groupSourceId: text('group_source_id').notNull(),
    userSourceId: text('user_source_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.groupSourceId, t.userSourceId] }), index('applied_memberships_user').on(t.target, t.userSourceId)],
);

export const cycles = pgTable(
  'cycles',
  {
    id: text('id').primaryKey(),
    target: text('target').notNull(),
    /** initial, incremental, full, verify, on-demand */
    kind: text('kind').notNull(),
    /** running, succeeded, partial (import incomplete, failures, objects escrowed), held, failed, quarantined, interrupted */
    status: text('status').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
    importComplete: boolean('import_complete'),
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    /** The process running the cycle (host:pid), so that a replica kept waiting by its lock can name it. */
    holder: text('holder'),
    /** When the running cycle last showed progress (a page read, an operation sent, a phase begun): a holder whose
     * progress stopped is stuck, not slow. */
    progressAt: at('progress_at'),
  },
  (t) => [index('cycles_target_started').on(t.target, t.startedAt)],
);

/** One row per change and its outcome, like Entra's provisioning logs. */
export const provisioningLog = pgTable(
  'provisioning_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    target: text('target').notNull(),
    /** The cycle that made the change; null for an action taken by hand (approve, reject, reset, retry). */
    cycleId: text('cycle_id'),
    changeId: text('change_id').notNull(),
    at: at('at').notNull().defaultNow(),
    /** Who took an action by hand (CLI: the OS user or --actor; console: the signed-in identity); null for cycle work. */
    actor: text('actor'),
    objectType: text('object_type').notNull(),
    sourceId: text('source_id').notNull(),
    notionId: text('notion_id'),
    /** userName or displayName at the time, for people reading the log. */
    displayName: text('display_name'),
    /** create, update, disable, enable, delete, staged-delete, link, add-members, remove-members, skip, unaccounted */
    action: text('action').notNull(),
    /** success, failure, skipped, warning */
    status: text('status').notNull(),
    reason: text('reason'),
    modified: jsonb('modified').$type<Array<{ path: string; old: unknown; new: unknown }>>(),
    errorKind: text('error_kind'),
    errorMessage: text('error_message'),
    durationMs: integer('duration_ms'),
  },
  (t) => [
    index('provisioning_log_target_at').on(t.target, t.at),
    index('provisioning_log_cycle').on(t.cycleId),
    index('provisioning_log_source').on(t.target, t.sourceId),
    // The console's log search (store/log-search.ts): newest first by id (keyset), by Notion id, by name prefix, by status.
    index('provisioning_log_target_id').on(t.target, t.id),
    index('provisioning_log_notion').on(t.target, t.notionId),
    index('provisioning_log_name').on(t.target, sql`lower(${t.displayName}) text_pattern_ops`),
    index('provisioning_log_status').on(t.target, t.status, t.id),
  ],
);

/** Graph change-notification subscriptions, at most one per target and resource (`users`, `groups`) across every
 *  replica: the replica holding the subscriptions lock creates, renews and deletes them (src/notify). */
export const graphSubscriptions = pgTable(
  'graph_subscriptions',
  {
    target: text('target').notNull(),
    /** The Graph resource subscribed to: `users` or `groups`. */
    resource: text('resource').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    expiresAt: at('expires_at').notNull(),
    /** The notificationUrl it was created with: a changed NOTIFICATION_URL recreates it. */
    notificationUrl: text('notification_url').notNull(),
    /** SHA-256 of the clientState it was created with (never the secret): a changed secret recreates it. */
    clientStateHash: text('client_state_hash').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.target, t.resource] })],
);

/** Per target: the clientState generated when NOTIFICATION_CLIENT_STATE is unset, so that every replica checks
 *  notifications against the same secret. */
export const notificationSecrets = pgTable('notification_secrets', {
  target: text('target').primaryKey(),
  clientState: text('client_state').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/**
 * Per target: the limits the SCIM client learnt about Notion, so that the next cycle starts from them instead of
 * probing from scratch (issue 14). The rate only with NOTION_RATE_LIMIT_RPS=auto (src/scim/adaptive-rate.ts); the
 * member batch size whatever the rate setting (src/scim/member-batches.ts). Its own table: nothing else reads it.
 */
export const rateLimitState = pgTable('rate_limit_state', {
  target: text('target').primaryKey(),
  /** The rate confirmed last (requests/second); null until a cycle with `auto` has run. */
  requestsPerSecond: doublePrecision('requests_per_second'),
  /** The lowest rate that drew a 429, if one did: probing stays below it. */
  throttledAtRps: doublePrecision('throttled_at_rps'),
  /** The smallest member batch the target refused for its size, if one was: batches stay below it until it expires. */
  memberBatchRefusedSize: integer('member_batch_refused_size'),
  /** When that refusal was seen (not refreshed by later cycles: its age decides when it is forgotten). */
  memberBatchRefusedAt: at('member_batch_refused_at'),
  /** The largest member batch accepted below that size: the next cycle starts there. */
  memberBatchAcceptedSize: integer('member_batch_accepted_size'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export type WatermarkRow = typeof watermarks.$inferSelect;
export type RateLimitStateRow = typeof rateLimitState.$inferSelect;
export type TargetStateRow = typeof targetState.$inferSelect;
export type SourceUserRow = typeof sourceUsers.$inferSelect;
export type SourceGroupRow = typeof sourceGroups.$inferSelect;
export type SourceMembershipRow = typeof sourceMemberships.$inferSelect;
export type SourceAssignmentRow = typeof sourceAssignments.$inferSelect;
export type NotionListingRow = typeof notionListing.$inferSelect;
export type LinkRow = typeof links.$inferSelect;
export type NewLinkRow = typeof links.$inferInsert;
export type AppliedMembershipRow = typeof appliedMemberships.$inferSelect;
export type CycleRow = typeof cycles.$inferSelect;
export type ProvisioningLogRow = typeof provisioningLog.$inferSelect;
export type NewProvisioningLogRow = typeof provisioningLog.$inferInsert;
export type GraphSubscriptionRow = typeof graphSubscriptions.$inferSelect;
