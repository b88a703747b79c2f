// The environment variables (public interface, keep names stable) and where each lands in the configuration.

export interface EnvironmentSetting {
  name: string;
  /** Dotted path in the configuration object. */
  path: string;
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
  { name: 'TRANSITIVE_GROUPS', path: 'entra.transitiveGroups' },
  { name: 'SCOPE_SHRINK_HOLD_PERCENT', path: 'entra.scopeShrinkHoldPercent' },
  { name: 'NOTION_SCIM_URL', path: 'notion.scimUrl' },
  { name: 'NOTION_SCIM_TOKEN', path: 'notion.token', secret: true },
  { name: 'NOTION_RATE_LIMIT_RPS', path: 'notion.rateLimitRps' },
  { name: 'NOTION_RATE_LIMIT_MIN_RPS', path: 'notion.rateLimitMinRps' },
  { name: 'NOTION_RATE_LIMIT_MAX_RPS', path: 'notion.rateLimitMaxRps' },
  { name: 'NOTION_MAX_CONCURRENCY', path: 'notion.maxConcurrency' },
  { name: 'NOTION_MAX_MEMBERS_PER_PATCH', path: 'notion.maxMembersPerPatch' },
  { name: 'NOTION_MEMBERS_ON_CREATE', path: 'notion.membersOnCreate' },
  { name: 'NOTION_PATCH_DIALECT', path: 'notion.patchDialect' },
  { name: 'DATABASE_URL', path: 'database.url', secret: true },
  { name: 'DATA_DIR', path: 'database.dataDir' },
  { name: 'SYNC_SCHEDULE', path: 'schedule' },
  { name: 'LOG_LEVEL', path: 'logLevel' },
  { name: 'LOG_FORMAT', path: 'logFormat' },
  { name: 'METRICS_TEXTFILE', path: 'metrics.textfile' },
  { name: 'METRICS_PUSHGATEWAY_URL', path: 'metrics.pushgatewayUrl' },
  { name: 'DEPROVISION_ACTION', path: 'provisioning.deprovisionAction' },
  { name: 'HARD_DELETE_ACTION', path: 'provisioning.hardDeleteAction' },
  { name: 'DELETE_GROUPS', path: 'provisioning.deleteGroups' },
  { name: 'GROUP_DELETE_GRACE_DAYS', path: 'provisioning.groupDeleteGraceDays' },
  { name: 'PROTECTED_USERS', path: 'provisioning.protectedUsers' },
  { name: 'GUEST_USERS', path: 'provisioning.guestUsers' },
  { name: 'DELETION_THRESHOLD', path: 'safety.deletionThreshold' },
  { name: 'DELETION_THRESHOLD_PERCENT', path: 'safety.deletionThresholdPercent' },
  { name: 'QUARANTINE_FAILURE_PERCENT', path: 'safety.quarantineFailurePercent' },
  { name: 'HTTP_PORT', path: 'worker.httpPort' },
  { name: 'WEBHOOK_URL', path: 'worker.webhookUrl', secret: true },
  { name: 'SHUTDOWN_GRACE_SECONDS', path: 'worker.shutdownGraceSeconds' },
  { name: 'STALE_AFTER_INTERVALS', path: 'worker.staleAfterIntervals' },
  { name: 'WATCH_INTERVAL_SECONDS', path: 'worker.watchIntervalSeconds' },
  { name: 'CYCLE_DEBOUNCE_SECONDS', path: 'worker.debounceSeconds' },
  { name: 'VERIFY_SCHEDULE', path: 'worker.verifySchedule' },
  { name: 'NOTIFICATION_URL', path: 'notifications.url' },
  { name: 'NOTIFICATION_CLIENT_STATE', path: 'notifications.clientState', secret: true },
  { name: 'NOTIFICATION_LIFETIME_MINUTES', path: 'notifications.lifetimeMinutes' },
  { name: 'CONSOLE_ENABLED', path: 'console.enabled' },
  { name: 'CONSOLE_PASSWORD', path: 'console.password', secret: true },
  { name: 'CONSOLE_HOST', path: 'console.host' },
  { name: 'CONSOLE_PORT', path: 'console.port' },
  { name: 'LOG_RETENTION_DAYS', path: 'logRetentionDays' },
  { name: 'EVALUATION_WINDOW', path: 'evaluationWindow' },
  { name: 'MAPPING_FILE', path: 'mappingFile' },
];

export function environmentNameOf(path: string): string | undefined {
  return environmentSettings.find((s) => s.path === path)?.name;
}
