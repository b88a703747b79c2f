import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactText, registerSecrets } from '../../../src/observe/index.js';
import { redactWrites, secretsFromEnvironment } from '../../../src/observe/output-redaction.js';
import { ScimError } from '../../../src/scim/index.js';

const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJyb2xlcyI6WyJVc2VyLlJlYWQuQWxsIl19.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactText', () => {
  it.each([
    ['a bare JWT', `the token ${jwt} was refused`, jwt],
    ['an echoed Authorization header', 'you sent Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
    ['an Authorization field in JSON', '{"authorization":"Token opaque-0123456789"}', 'opaque-0123456789'],
    ['an access_token in a token answer', '{"access_token":"opaque.value.123","token_type":"Bearer"}', 'opaque.value.123'],
    ['an access_token in a query', 'GET /cb?access_token=abcdef123456&state=1', 'abcdef123456'],
    ['a client_secret in JSON inside a JSON string', JSON.stringify({ msg: '{"client_secret": "s3cr3t-value"}' }), 's3cr3t-value'],
    ['a Graph notification clientState echoed in a body', '{"value":[{"clientState":"shared-notification-secret","changeType":"updated"}]}', 'shared-notification-secret'],
  ])('hides %s', (_what, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[Redacted]');
  });

  it.each([
    ['a token after Bearer', 'sent bearer eyJhbGciOiJIUzI1NiJ9 and was refused', 'eyJhbGciOiJIUzI1NiJ9'],
    ['a token with dots after Bearer', 'retried with Bearer abc.def', 'abc.def'],
    ['a token that spells a word, token included', 'retried with Bearer secrettoken123', 'secrettoken123'],
    ['a token that begins with the word token', 'retried with Bearer token123', 'token123'],
    ['a token that begins with the word token and a dot', 'retried with Bearer token.abc-def', 'token.abc-def'],
    ['a token that begins with the word token and a dash', 'retried with Bearer token-abc', 'token-abc'],
  ])('hides %s, whatever it spells', (_what, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/bearer \[Redacted\]/i);
  });

  it.each([
    'Invalid or missing bearer token',
    'GET /Users failed with 401: Invalid or missing bearer token. Check NOTION_SCIM_TOKEN',
    JSON.stringify({ msg: '{"detail":"Invalid or missing bearer token","status":"401"}' }),
    'the OAuth Bearer Token scheme: Bearer tokens expire; send a bearer token, please!',
  ])('keeps the phrase "bearer token", which names no secret: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('keeps ordinary text, and is idempotent', () => {
    const text = 'a valid token was not found for user ada@example.com (id 42)';
    expect(redactText(text)).toBe(text);
    const once = redactText('Authorization: Bearer abc.def');
    expect(redactText(once)).toBe(once);
  });
});

describe('redaction at the source and at the output', () => {
  it('ScimError messages and details never carry a registered secret', () => {
    registerSecrets(['secret_scim_token_for_unit_test']);
    const error = new ScimError({ kind: 'bad-request', message: 'POST failed: secret_scim_token_for_unit_test', detail: `Authorization: Bearer x ${jwt}`, request: { method: 'POST', url: 'https://x/scim/v2/Users' } });
    expect(error.message).toBe('POST failed: [Redacted]');
    expect(error.detail).not.toContain('Bearer x');
    expect(error.detail).not.toContain(jwt);
  });

  it("keeps Notion's own words for a refused token in a ScimError", () => {
    const words = 'Invalid or missing bearer token';
    const error = new ScimError({ kind: 'auth', message: `GET https://x/scim/v2/Users failed with 401: ${words}`, detail: words, request: { method: 'GET', url: 'https://x/scim/v2/Users' } });
    expect([error.message, error.detail]).toEqual([`GET https://x/scim/v2/Users failed with 401: ${words}`, words]);
  });

  it('every write to a wrapped stream is redacted, strings and bytes alike', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (written += chunk.toString()));
    redactWrites(stream);
    redactWrites(stream);
    stream.write(`token ${jwt}\n`);
    stream.write(Buffer.from('Authorization: Bearer abc\n'));
    expect(written).toBe('token [Redacted]\nAuthorization: [Redacted]\n');
  });

  it('finds the secrets of the environment, values and files, and nothing else', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ens-secret-')), 'token');
    writeFileSync(file, 'secret_from_a_file\n');
    const env = { NOTION_SCIM_TOKEN_FILE: file, ENTRA_CLIENT_SECRET: 'client~secret', ENTRA_CLIENT_ID: '00000000-0000-0000-0000-000000000001', DATABASE_URL_FILE: '/nonexistent' };
    expect(secretsFromEnvironment(env).sort()).toEqual(['client~secret', 'secret_from_a_file']);
  });
});
