// Public face of observability: the redacting logger and the progress interface.
export { createLogger, scrubSecrets, type CreateLoggerOptions, type Logger } from './logger.js';
export { silentProgress, type Progress } from './progress.js';
