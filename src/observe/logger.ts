// The logger (pino) with secrets redacted twice: by field name, and by value anywhere in the line. JSON lines for
// collectors, or the same lines made readable (pino-pretty) for a person at a terminal.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { chooseLogFormat, type LogFormat } from './log-format.js';
import { redactText } from './redact.js';
import { writeAboveStatusLine } from './terminal.js';

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
  'clientState',
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
  /** Default: stdout. */
  destination?: DestinationStream;
  /** LOG_FORMAT; unset: pretty when stdout is a terminal (and no destination is given), JSON otherwise. */
  format?: LogFormat;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const format = chooseLogFormat(options.destination === undefined && process.stdout.isTTY, options.format);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[Redacted]' },
      hooks: { streamWrite: (line) => scrubSecrets(line, secrets), logMethod: withoutBoundKeys },
    },
    format === 'pretty' ? prettyDestination(options.destination) : (options.destination ?? jsonDestination()),
  );
}

/**
 * A key bound by a child logger (`cycleId`, `target`) and repeated in a call would appear twice in the line, and
 * collectors such as Elasticsearch reject a document with a duplicate key: the bound value stands, the repeat goes.
 */
function withoutBoundKeys(this: Logger, args: unknown[], method: (...args: unknown[]) => void): void {
  const [first, ...rest] = args;
  if (first === null || typeof first !== 'object' || first instanceof Error) return method.apply(this, args);
  const bound = this.bindings();
  const repeated = Object.keys(first).filter((key) => key in bound);
  if (repeated.length === 0) return method.apply(this, args);
  const copy: Record<string, unknown> = { ...(first as Record<string, unknown>) };
  for (const key of repeated) delete copy[key];
  return method.apply(this, [copy, ...rest]);
}

/** JSON lines: straight to file descriptor 1, unless a terminal shows a progress bar that lines must not cut. */
function jsonDestination(): DestinationStream {
  if (!process.stdout.isTTY) return pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => writeAboveStatusLine(process.stdout, line) };
}

/** Each JSON line (already redacted) turned into `12:00:01 INFO cycle.started {"kind":"initial"}`. */
function prettyDestination(destination: DestinationStream | undefined): DestinationStream {
  const prettify = prettyFactory({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    ignore: 'event,msg',
    messageFormat: (log) => [log.event, log.msg].filter((part, i, parts) => typeof part === 'string' && part !== '' && parts.indexOf(part) === i).join(' '),
  });
  const out = destination ?? { write: (text: string) => writeAboveStatusLine(process.stdout, text) };
  return { write: (line: string) => out.write(prettify(line)) };
}

/** Replaces known secret values and secret-looking material in a serialised log line. */
export function scrubSecrets(line: string, secrets: readonly string[] = []): string {
  return redactText(line, secrets);
}
