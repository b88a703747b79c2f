// The environment variables (public interface, keep names stable), where each lands in the configuration, and how
// its text becomes the JSON type the config file gives directly (the file is read strictly; only text is converted).

/** What an environment variable's text stands for: a number, a flag (true/false, 1/0, yes/no), a comma list, a
 *  Notion rate (a number or `auto`); plain text otherwise. */
export type EnvironmentValueKind = 'number' | 'flag' | 'list' | 'rate';

export interface EnvironmentSetting {
  name: string;
  /** Dotted path in the configuration object. */
  path: string;
  kind?: EnvironmentValueKind;
  /** Secrets are read from the environment only (or from a file named by `<NAME>_FILE`), never from the config file. */
  secret?: boolean;
}

export const environmentSettings: readonly EnvironmentSetting[] = [
  { name: 'SYNC_TARGET', path: 'target' },
  { name: 'ENTRA_TENANT_ID', path: 'entra.tenantId' },
  { name: 'ENTRA_CLIENT_ID', path: 'entra.clientId' },
  { name: 'ENTRA_CLIENT_SECRET', path: 'entra.clientSecret', secret: true },
  { name: 'ENTRA_CLIENT_CERTIFICATE_PATH', path: 'entra.certificatePath' },
  { name: 'AZURE_FEDERATED_TOKEN_FILE', path: 'entra.federatedTokenFile' },
  { name: 'ENTRA_AUTH', path: 'entra.auth' },
  { name: 'ENTRA_MANAGED_IDENTITY_CLIENT_ID', path: 'entra.managedIdentityClientId' },
  { name: 'ENTRA_SERVICE_PRINCIPAL_ID', path: 'entra.servicePrincipalId' },
  { name: 'ENTRA_AUTHORITY_HOST', path: 'entra.authorityHost' },
  { name: 'GRAPH_BASE_URL', path: 'entra.graphBaseUrl' },
  { name: 'SYNC_SCOPE', path: 'entra.scope' },
  { name: 'TRANSITIVE_GROUPS', path: 'entra.transitiveGroups', kind: 'flag' },
  { name: 'SCOPE_SHRINK_HOLD_PERCENT', path: 'entra.scopeShrinkHoldPercent', kind: 'number' },
  { name: 'NOTION_SCIM_URL', path: 'notion.scimUrl' },
  { name: 'NOTION_SCIM_TOKEN', path: 'notion.token', secret: true },
  { name: 'NOTION_RATE_LIMIT_RPS', path: 'notion.rateLimitRps', kind: 'rate' },
  { name: 'NOTION_RATE_LIMIT_MIN_RPS', path: 'notion.rateLimitMinRps', kind: 'number' },
  { name: 'NOTION_RATE_LIMIT_MAX_RPS', path: 'notion.rateLimitMaxRps', kind: 'number' },
  { name: 'NOTION_MAX_CONCURRENCY', path: 'notion.maxConcurrency', kind: 'number' },
  { name: 'NOTION_MAX_MEMBERS_PER_PATCH', path: 'notion.maxMembersPerPatch', kind: 'number' },
  { name: 'NOTION_MEMBERS_ON_CREATE', path: 'notion.membersOnCreate', kind: 'flag' },
  { name: 'NOTION_PATCH_DIALECT', path: 'notion.patchDialect' },
  { name: 'DATABASE_URL', path: 'database.url', secret: true },
  { name: 'DATABASE_ALLOW_INSECURE_PLAINTEXT', path: 'database.allowInsecurePlaintext', kind: 'flag' },
  { name: 'DATA_DIR', path: 'database.dataDir' },
  { name: 'SYNC_SCHEDULE', path: 'schedule' },
  { name: 'LOG_LEVEL', path: 'logLevel' },
  { name: 'LOG_FORMAT', path: 'logFormat' },
  { name: 'METRICS_TEXTFILE', path: 'metrics.textfile' },
  { name: 'METRICS_PUSHGATEWAY_URL', path: 'metrics.pushgatewayUrl' },
  { name: 'DEPROVISION_ACTION', path: 'provisioning.deprovisionAction' },
  { name: 'HARD_DELETE_ACTION', path: 'provisioning.hardDeleteAction' },
  { name: 'DELETE_GROUPS', path: 'provisioning.deleteGroups', kind: 'flag' },
  { name: 'GROUP_DELETE_GRACE_DAYS', path: 'provisioning.groupDeleteGraceDays', kind: 'number' },
  { name: 'PROTECTED_USERS', path: 'provisioning.protectedUsers', kind: 'list' },
  { name: 'GUEST_USERS', path: 'provisioning.guestUsers' },
  { name: 'DELETION_THRESHOLD', path: 'safety.deletionThreshold', kind: 'number' },
  { name: 'DELETION_THRESHOLD_PERCENT', path: 'safety.deletionThresholdPercent', kind: 'number' },
  { name: 'QUARANTINE_FAILURE_PERCENT', path: 'safety.quarantineFailurePercent', kind: 'number' },
  { name: 'QUARANTINE_MIN_OPERATIONS', path: 'safety.quarantineMinOperations', kind: 'number' },
  { name: 'HTTP_PORT', path: 'worker.httpPort', kind: 'number' },
  { name: 'WEBHOOK_URL', path: 'worker.webhookUrl', secret: true },
  { name: 'SHUTDOWN_GRACE_SECONDS', path: 'worker.shutdownGraceSeconds', kind: 'number' },
  { name: 'STALE_AFTER_INTERVALS', path: 'worker.staleAfterIntervals', kind: 'number' },
  { name: 'WATCH_INTERVAL_SECONDS', path: 'worker.watchIntervalSeconds', kind: 'number' },
  { name: 'CYCLE_DEBOUNCE_SECONDS', path: 'worker.debounceSeconds', kind: 'number' },
  { name: 'VERIFY_SCHEDULE', path: 'worker.verifySchedule' },
  { name: 'NOTIFICATION_URL', path: 'notifications.url' },
  { name: 'NOTIFICATION_CLIENT_STATE', path: 'notifications.clientState', secret: true },
  { name: 'NOTIFICATION_LIFETIME_MINUTES', path: 'notifications.lifetimeMinutes', kind: 'number' },
  { name: 'CONSOLE_ENABLED', path: 'console.enabled', kind: 'flag' },
  { name: 'CONSOLE_PASSWORD', path: 'console.password', secret: true },
  { name: 'CONSOLE_HOST', path: 'console.host' },
  { name: 'CONSOLE_PORT', path: 'console.port', kind: 'number' },
  { name: 'LOG_RETENTION_DAYS', path: 'logRetentionDays', kind: 'number' },
  { name: 'EVALUATION_WINDOW', path: 'evaluationWindow', kind: 'number' },
  { name: 'MAPPING_FILE', path: 'mappingFile' },
];

export function environmentNameOf(path: string): string | undefined {
  return environmentSettings.find((s) => s.path === path)?.name;
}

const numberText = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The value an environment variable's text stands for. Text that does not read as its kind is passed on as it is,
 * so that the schema rejects it naming the variable and what it expects (DELETION_THRESHOLD_PERCENT=true).
 */
export function environmentValueOf(kind: EnvironmentValueKind | undefined, text: string): unknown {
  const trimmed = text.trim();
  switch (kind) {
    case 'number':
      return numberText.test(trimmed) ? Number(trimmed) : text;
    case 'rate':
      if (trimmed.toLowerCase() === 'auto') return 'auto';
      return numberText.test(trimmed) ? Number(trimmed) : text;
    case 'flag': {
      const word = trimmed.toLowerCase();
      if (['true', '1', 'yes'].includes(word)) return true;
      if (['false', '0', 'no'].includes(word)) return false;
      return text;
    }
    case 'list':
      return text.split(',').map((item) => item.trim()).filter(Boolean);
    case undefined:
      return text;
  }
}
