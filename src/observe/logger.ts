// The JSON logger (pino) with secrets redacted twice: by field name, and by value anywhere in the line.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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

/** Patterns of secret material that may hide inside free text such as error messages. */
const secretPatterns: RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
  /(client_secret=)[^&\s"]+/gi,
  /(client_assertion=)[^&\s"]+/gi,
  /(postgres(?:ql)?:\/\/[^:/@\s"]+:)[^@\s"]+(@)/gi,
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
  let out = line;
  for (const secret of secrets) {
    out = out.split(secret).join('[Redacted]');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join('[Redacted]');
  }
  for (const pattern of secretPatterns) {
    out = out.replace(pattern, (_match, prefix?: string, suffix?: string) =>
      typeof prefix === 'string' && prefix.length > 0 && !prefix.startsWith('-----') ? `${prefix}[Redacted]${typeof suffix === 'string' ? suffix : ''}` : '[Redacted]',
    );
  }
  return out;
}
