import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observe/index.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', secrets, destination }), output: () => lines.join('') };
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
