// Public face of observability: the redacting logger, progress and its display, worker metrics, webhook alerts, text tables.
export { createLogger, scrubSecrets, type CreateLoggerOptions, type Logger } from './logger.js';
export { chooseLogFormat, type LogFormat } from './log-format.js';
export { redactOptional, redactText, registerSecrets } from './redact.js';
export { installOutputRedaction } from './output-redaction.js';
export { countHttpAnswer, onHttpAnswer, type HttpAnswerListener, type HttpAnswerStatus, type HttpService } from './http-answers.js';
export { silentProgress, teeProgress, type Progress } from './progress.js';
export { createProgress, formatProgressLine, formatSeconds, type PhaseSnapshot, type ProgressDisplayOptions } from './progress-display.js';
export { createWorkerMetrics, packageVersion, type CycleMetricsInput, type MetricsOptions, type OpenWorkInput, type ScimTraffic, type WorkerMetrics } from './metrics.js';
export { beginJobMetrics, exportMetrics, writeFileAtomically, type JobCycleInput, type MetricsExportOptions } from './metrics-export.js';
export { postWebhookMessage, redactWebhookUrl, WebhookError, type PostWebhookOptions } from './webhook.js';
export { formatTable } from './table.js';
export { describeNotionRate, formatRate } from './notion-rate.js';
export { createNotificationMetrics, type HintOutcome, type NotificationKind, type NotificationMetrics, type NotificationRejection, type SubscriptionOperation } from './notification-metrics.js';
