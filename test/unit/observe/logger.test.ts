import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger, type LogFormat } from '../../../src/observe/index.js';
import { DuplicateKeyError, parseLogLine, parseLogLines } from '../../helpers/log-lines.js';

function capture(secrets: string[], format?: LogFormat) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', secrets, destination, ...(format ? { format } : {}) }), output: () => lines.join('') };
}

const clientSecret = 'Qx8~client.secret-value_123';
const notionToken = 'secret_notionTokenABCDEF0123456789';
const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
const certificate = '-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUe\n-----END CERTIFICATE-----';

describe('the logger', () => {
  it('never writes a secret, wherever it appears in a log line', () => {
    const { logger, output } = capture([clientSecret, notionToken]);
    logger.info({ clientSecret, config: { notion: { token: notionToken } } }, 'config loaded');
    logger.info({ request: { headers: { authorization: `Bearer ${notionToken}` } } }, 'request');
    logger.info({ headers: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature' } }, 'graph request');
    logger.error({ err: new Error(`POST failed: Authorization: Bearer ${notionToken}`) }, 'failure');
    logger.warn({ detail: `token endpoint said client_secret=${clientSecret}&grant_type=client_credentials` }, 'msal');
    logger.info({ certificate, pem: `${privateKey}\n${certificate}` }, 'certificate loaded');
    logger.info({ databaseUrl: 'postgres://sync:hunter2pass@db:5432/sync', url: 'postgres://sync:hunter2pass@db:5432/sync' }, 'store');
    const text = output();
    for (const secret of [clientSecret, notionToken, 'eyJhbGciOiJSUzI1NiJ9', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'MIIDazCCAlOgAwIBAgIUe', 'hunter2pass']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[Redacted]');
    expect(text.split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('writes one JSON object per line with level names and event fields', () => {
    const { logger, output } = capture([]);
    logger.info({ event: 'cycle.started', cycleId: 'c1' }, 'cycle started');
    const line = JSON.parse(output().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', event: 'cycle.started', cycleId: 'c1', msg: 'cycle started' });
    expect(typeof line.time).toBe('string');
  });
});

describe('log lines', () => {
  it('the strict reader of the tests refuses a line with a duplicate key', () => {
    expect(() => parseLogLine('{"cycleId":"a","nested":{"x":1,"x":2}}')).toThrow(DuplicateKeyError);
    expect(parseLogLine('{"a":{"x":1},"b":{"x":2}}')).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  it('never repeat a key a child logger already binds', () => {
    const { logger, output } = capture([]);
    const child = logger.child({ cycleId: 'c1', target: 'default' });
    child.info({ event: 'cycle.finished', cycleId: 'c1', target: 'default', status: 'succeeded' }, 'cycle.finished');
    child.child({ phase: 'apply' }).warn({ cycleId: 'c1', phase: 'apply', detail: 'x' });
    const lines = parseLogLines(output());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ event: 'cycle.finished', cycleId: 'c1', target: 'default', status: 'succeeded' });
    expect(lines[1]).toMatchObject({ cycleId: 'c1', phase: 'apply', detail: 'x' });
  });

  it('are made readable for a person when the format is pretty, secrets still redacted', () => {
    const { logger, output } = capture([clientSecret], 'pretty');
    logger.child({ cycleId: 'c1' }).info({ event: 'cycle.started', kind: 'initial', note: `secret ${clientSecret}` }, 'cycle.started');
    const text = output();
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cycle\.started \{"cycleId":"c1","kind":"initial","note":"secret \[Redacted\]"\}\n$/);
  });
});

describe('chooseLogFormat', () => {
  it.each([
    [true, undefined, 'pretty'],
    [false, undefined, 'json'],
    [undefined, undefined, 'json'],
    [true, 'json', 'json'],
    [false, 'pretty', 'pretty'],
  ] as const)('isTTY %s, LOG_FORMAT %s → %s', (isTTY, setting, expected) => {
    expect(chooseLogFormat(isTTY, setting)).toBe(expected);
  });
});
