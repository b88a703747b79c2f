// A query that failed because its store connection was cut is named as such, with its cause, through drizzle's
// "Failed query: …" wrapper; any other failure is left to its own message.
import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createScimClient, describeScimFailure, ScimError } from '../../../src/scim/index.js';
import { describeLostStoreConnection } from '../../../src/store/index.js';

function postgresError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeLostStoreConnection', () => {
  it('names the ended session under drizzle\'s wrapper of the statement', () => {
    const ended = postgresError('terminating connection due to administrator command', '57P01');
    expect(describeLostStoreConnection(new DrizzleQueryError('begin', [], ended))).toBe('lost the store connection: terminating connection due to administrator command');
  });

  it('names the closed socket under the rollback that failed after it', () => {
    const rollback = new DrizzleQueryError('rollback', [], new Error('Connection terminated unexpectedly'));
    expect(describeLostStoreConnection(rollback)).toBe('lost the store connection: Connection terminated unexpectedly');
  });

  it('knows connection exceptions (class 08) and socket failures', () => {
    expect(describeLostStoreConnection(postgresError('connection failure', '08006'))).toBe('lost the store connection: connection failure');
    expect(describeLostStoreConnection(postgresError('read ECONNRESET', 'ECONNRESET'))).toBe('lost the store connection: read ECONNRESET');
  });

  it('leaves a refused connection to Notion to Notion, though it carries ECONNREFUSED too', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once; no retries, so the one failure is the answer.
    const scim = createScimClient({ baseUrl: 'http://127.0.0.1:1/scim/v2', token: 'token', retry: { retries: 0 } });
    const refused = await scim.findUsersByUserName('a@example.com').then(() => undefined, (error: unknown) => error);
    await scim.close();
    expect(refused).toBeInstanceOf(ScimError);
    expect(describeLostStoreConnection(refused)).toBeUndefined();
    expect(describeScimFailure(refused as ScimError)).toMatch(/^Notion unreachable: GET http:\/\/127\.0\.0\.1:1\/scim\/v2\/Users\?.* ECONNREFUSED/);
  });

  it('leaves any other failure alone', () => {
    expect(describeLostStoreConnection(new DrizzleQueryError('insert …', [], postgresError('duplicate key value', '23505')))).toBeUndefined();
    expect(describeLostStoreConnection(new Error('boom'))).toBeUndefined();
    expect(describeLostStoreConnection('not an error')).toBeUndefined();
  });
});
