// The JSON logger (pino) with secrets redacted twice: by field name, and by value anywhere in the line.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactText } from './redact.js';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear (pino redaction paths, one and two levels deep). */
const secretFields = [
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'clientAssertion',
  'client_assertion',
  'password',
  'secret',
  'privateKey',
  'certificate',
  'webhookUrl',
  'databaseUrl',
];
const redactPaths = [
  ...secretFields,
  ...secretFields.map((f) => `*.${f}`),
  ...secretFields.map((f) => `*.*.${f}`),
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
];

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  /** Known secret values (tokens, client secret); any occurrence in a log line is replaced. */
  secrets?: Array<string | undefined>;
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[Redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line, secrets) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Replaces known secret values and secret-looking material in a serialised log line. */
export function scrubSecrets(line: string, secrets: readonly string[] = []): string {
  return redactText(line, secrets);
}
