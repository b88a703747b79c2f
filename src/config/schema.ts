// The configuration schema: one source of truth for names, defaults and the Config type.
import { z } from 'zod';
import { validate as validateCron } from 'node-cron';
import { mappingConfigSchema } from './mapping-schema.js';
import { endpointUrlProblem } from './urls.js';

const endpointUrl = z.string().superRefine((value, ctx) => {
  const problem = endpointUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** What a wrong value is, for the message: `got the text "no"`, `got true (a boolean)`. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `got the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return 'got null';
  if (Array.isArray(value)) return 'got a list';
  if (typeof value === 'object') return 'got an object';
  return `got ${String(value)} (a ${typeof value})`;
}

/**
 * JSON types are taken strictly (the file says `true`, `20`; an environment variable's text is converted before,
 * environment.ts): a wrong type names what came and what is expected.
 */
const expecting = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? undefined : `expected ${what}, ${describeValue(issue.input)}`) });

const flag = z.boolean(expecting('true or false'));

const number = (min: number, max: number) =>
  z.number(expecting(`a number from ${min} to ${max}`)).refine((n) => n >= min && n <= max, { message: `expected a number from ${min} to ${max}` });
const integer = (min: number, max: number) =>
  z.number(expecting(`a whole number from ${min} to ${max}`)).refine((n) => Number.isInteger(n) && n >= min && n <= max, { message: `expected a whole number from ${min} to ${max}` });

/** Requests per second, or `auto` to find the limit. */
const rateLimit = z.union([z.literal('auto'), z.number().refine((n) => n >= 0.1 && n <= 1000, { message: 'expected a number from 0.1 to 1000, or "auto"' })], expecting('a number from 0.1 to 1000, or "auto"'));

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
  message: 'expected a GUID such as 00000000-0000-0000-0000-000000000000',
});
const tenant = z.string().regex(/^([0-9a-fA-F-]{36}|[A-Za-z0-9.-]+)$/, { message: 'expected a tenant GUID or a domain name' });

// A guest's UPN as Entra holds it (alice_fabrikam.com#EXT#@contoso.onmicrosoft.com) is never a Notion userName: an
// entry like it would protect nobody, silently.
const userName = z.string().min(1).refine((name) => !/#EXT#/i.test(name), {
  message: "a guest's UPN as Entra holds it (#EXT#) is never a Notion userName, so it would protect nobody: list the userName the guest has in Notion (the one GUEST_USERS maps, usually their email)",
});
const userNames = z.array(userName, expecting('a list of userNames such as ["owner@contoso.com"]'));

export const configSchema = z
  .object({
    /** Name of this Notion workspace in the store; one database can serve several. */
    target: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected 1-64 letters, digits, ".", "_" or "-"' }).default('default'),
    entra: z
      .object({
        tenantId: tenant.optional(),
        clientId: guid.optional(),
        clientSecret: z.string().min(1).optional(),
        certificatePath: z.string().min(1).optional(),
        federatedTokenFile: z.string().min(1).optional(),
        /** How to sign in to Entra; `auto` picks a federated token file, then a certificate, then a secret. */
        auth: z.enum(['auto', 'secret', 'certificate', 'federated', 'managed-identity'], { error: 'expected "auto", "secret", "certificate", "federated" or "managed-identity"' }).default('auto'),
        /** With `managed-identity`: the client id of a user-assigned identity; unset = the system-assigned one. */
        managedIdentityClientId: guid.optional(),
        servicePrincipalId: guid.optional(),
        authorityHost: endpointUrl.default('https://login.microsoftonline.com'),
        graphBaseUrl: endpointUrl.default('https://graph.microsoft.com'),
        /** `assigned`: users and groups assigned to the app (Entra's default); `all`: every user and group. */
        scope: z.enum(['assigned', 'all'], { error: 'expected "assigned" or "all"' }).default('assigned'),
        /** Expand nested groups of assigned groups (Entra cannot). */
        transitiveGroups: flag.default(false),
        /** Hold deprovisioning when the scope shrinks by more than this share since the last complete import. */
        scopeShrinkHoldPercent: number(0, 100).default(30),
      })
      .strict()
      .prefault({}),
    notion: z
      .object({
        scimUrl: endpointUrl.default('https://api.notion.com/scim/v2'),
        token: z.string().min(1).optional(),
        /** A known limit in requests/second, used exactly; `auto` finds it between the two bounds below (and remembers it). */
        rateLimitRps: rateLimit.default(2.5),
        /** With `auto`: the rate never goes below this, whatever the throttling. */
        rateLimitMinRps: number(0.1, 1000).default(0.5),
        /** With `auto`: the rate never probes above this. */
        rateLimitMaxRps: number(0.1, 1000).default(100),
        // Serial writes by default (reference notion-scim.md §5.1, §7.9): Notion documents no limit, so be polite.
        maxConcurrency: integer(1, 64).default(1),
        // Notion's maximum is undocumented (reference notion-scim.md §4, §9.2): this is the ceiling; the batch size in
        // use adapts below it (halved when Notion refuses a batch for its size), so a high ceiling costs little.
        maxMembersPerPatch: integer(1, 1000).default(100),
        /** Create a group with its first members in the POST (reference notion-scim.md §9.1); checked against each answer. */
        membersOnCreate: flag.default(true),
        /** `rfc`: lower-case ops and boolean values (default); `entra`: capitalised ops as Entra sends them. */
        patchDialect: z.enum(['rfc', 'entra'], { error: 'expected "rfc" or "entra"' }).default('rfc'),
      })
      .strict()
      .refine((n) => n.rateLimitMinRps <= n.rateLimitMaxRps, {
        message: 'the floor is above the ceiling (NOTION_RATE_LIMIT_MAX_RPS): set it at or below the ceiling',
        path: ['rateLimitMinRps'],
      })
      .prefault({}),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' }).optional(),
        /**
         * Accept a URL to another host without TLS (database-url.ts refuses it otherwise): only where the network
         * itself is encrypted or private to this deployment (a service mesh with mTLS, a compose network on one host).
         */
        allowInsecurePlaintext: flag.default(false),
        dataDir: z.string().min(1).default('./data'),
      })
      .strict()
      .prefault({}),
    schedule: z
      .string()
      .refine((s) => validateCron(s), { message: 'expected a cron expression such as "*/40 * * * *"' })
      .default('*/40 * * * *'),
    // No default here: each command picks its own (info for sync and worker, warn for report commands).
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' }).optional(),
    /** `json` (one object per line) or `pretty` (for people); unset: pretty on a terminal, JSON otherwise. */
    logFormat: z.enum(['json', 'pretty'], { error: 'expected "json" or "pretty"' }).optional(),
    /** Where a job (`sync`) leaves its metrics, which would otherwise die with the process. */
    metrics: z
      .object({
        /** node_exporter textfile collector: the file written (atomically) at the end of `sync`, e.g. /var/lib/node_exporter/textfile/entra-notion-sync.prom. */
        textfile: z.string().regex(/\.prom$/, { message: 'expected a path ending in .prom (node_exporter reads only those)' }).optional(),
        /** Prometheus Pushgateway the metrics are pushed to at the end of `sync`. */
        pushgatewayUrl: endpointUrl.optional(),
      })
      .strict()
      .prefault({}),
    provisioning: z
      .object({
        /** What happens to a linked user who leaves scope (unassigned or filtered out). `none` = skip out-of-scope deletions. */
        deprovisionAction: z.enum(['disable', 'delete', 'none'], { error: 'expected "disable", "delete" or "none"' }).default('disable'),
        /** What happens to a linked user who is hard-deleted in Entra. */
        hardDeleteAction: z.enum(['delete', 'disable', 'none'], { error: 'expected "delete", "disable" or "none"' }).default('delete'),
        /** Delete groups in Notion when they leave scope or are deleted in Entra. */
        deleteGroups: flag.default(true),
        /**
         * Days a group that left scope is kept in Notion, emptied of our members and still linked, before it is deleted
         * (its page and teamspace permissions die with it); a return within them re-links it. 0 deletes at once.
         */
        groupDeleteGraceDays: integer(0, 3650).default(7),
        /** userNames never changed or removed (e.g. the owner of the SCIM token). */
        protectedUsers: userNames.default([]),
        /** B2B guests (`#EXT#` UPN or userType Guest): Entra's UPN rule (`alias@theirdomain`), their `mail`, or not at all. */
        guestUsers: z.enum(['map-upn', 'map-mail', 'skip'], { error: 'expected "map-upn", "map-mail" or "skip"' }).default('map-upn'),
      })
      .strict()
      .prefault({}),
    safety: z
      .object({
        deletionThreshold: integer(0, 1_000_000).default(500),
        deletionThresholdPercent: number(0, 100).default(20),
        /** Quarantine when more than this share of a cycle's operations fail (Entra: 40%). */
        quarantineFailurePercent: number(1, 100).default(40),
        /** ... once at least this many operations were attempted. */
        quarantineMinOperations: integer(1, 1_000_000).default(10),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        httpPort: integer(1, 65535).optional(),
        webhookUrl: endpointUrl.optional(),
        shutdownGraceSeconds: integer(1, 3600).default(30),
        staleAfterIntervals: integer(1, 1000).default(3),
        /** Watch mode: poll the Graph delta links this often and run a cycle when something changed; 0 = off. */
        watchIntervalSeconds: integer(0, 86_400).default(30),
        /** How long a first change waits for others to join it in one cycle. */
        debounceSeconds: number(0, 600).default(5),
        /** `sync --verify` on its own cron schedule (repairs hand-made changes in Notion); "off" = never. */
        verifySchedule: z
          .string()
          .trim()
          .refine((s) => s === 'off' || validateCron(s), { message: 'expected a cron expression such as "30 2 * * *", or "off"' })
          .default('30 2 * * *'),
      })
      .strict()
      .prefault({}),
    /** Graph change notifications (the worker only): subscriptions on users and groups whose notifications are
     *  hints that start a cycle early (docs/reference/graph-notifications.md). */
    notifications: z
      .object({
        /** The public HTTPS URL Graph posts to; its path is served on HTTP_PORT. Unset: no subscriptions. */
        url: endpointUrl.optional(),
        /** The shared secret Graph sends back in every notification (at most 128 characters, Graph's limit);
         *  unset: one is generated and kept in the store, shared by every replica. */
        clientState: z.string().min(16, { message: 'expected at least 16 characters' }).max(128, { message: 'expected at most 128 characters (Graph limit)' }).optional(),
        /** Lifetime asked for each subscription; renewed at half of it. Graph's maximum for users and groups is 41,760. */
        lifetimeMinutes: integer(2, 41_760).default(1440),
      })
      .strict()
      .prefault({}),
    console: z
      .object({
        /** The worker serves the console on its HTTP port. */
        enabled: flag.default(false),
        /** Sign-in password; required when the console listens on anything but loopback. */
        password: z.string().min(12, { message: 'expected at least 12 characters' }).optional(),
        /** `console` command: where it listens (the worker uses its HTTP port). */
        host: z.string().min(1).default('127.0.0.1'),
        port: integer(1, 65535).default(8470),
      })
      .strict()
      .prefault({}),
    logRetentionDays: integer(1, 3650).default(30),
    /**
     * Users a cycle evaluates, plans and applies at a time when it has more candidates than that (src/engine/windowed-cycle.ts):
     * its memory is a window's, whatever the tenant's size; a group window takes a fiftieth as many groups.
     */
    evaluationWindow: integer(1, 1_000_000).default(5000),
    /** Path of the attribute-mapping file (JSON); the Notion default mapping when neither this nor `mapping` is set. */
    mappingFile: z.string().min(1).optional(),
    mapping: mappingConfigSchema.optional(),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
