// Public face of observability: the redacting logger.
export { createLogger, scrubSecrets, type CreateLoggerOptions, type Logger } from './logger.js';
