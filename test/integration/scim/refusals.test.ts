// Writes Notion refuses for a reason with a remedy of its own: the token owner, a workspace owner, an unverified email
// domain. Each comes back as a refusal of that one write, named, never as an auth failure that stops the cycle.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScimClient, ScimError, type ScimClient } from '../../../src/scim/index.js';
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../../src/sim/notion/index.js';

let sim: NotionSimulator;
const clients: ScimClient[] = [];

beforeAll(async () => {
  sim = await startNotionSimulator();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sim.setOptions({ tokenOwnerUserName: undefined, refuseOwnerRemoval: false, verifiedDomains: undefined });
});

afterAll(async () => {
  await sim.close();
});

function clientFor(simulatorOptions: Partial<NotionSimulatorOptions> = {}, token = sim.token): ScimClient {
  sim.setOptions(simulatorOptions);
  const client = createScimClient({ baseUrl: sim.url, token, requestsPerSecond: 1000, retry: { retries: 1, minDelayMs: 5, maxDelayMs: 20 } });
  clients.push(client);
  return client;
}

async function failureOf(promise: Promise<unknown>): Promise<ScimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

let serial = 0;

describe('refusals with a remedy', () => {
  it('names the token owner when Notion refuses to remove them (403), and does not read it as a revoked token', async () => {
    const owner = sim.workspace.addUser({ userName: `owner.${++serial}@example.com`, role: 'owner' });
    const scim = clientFor({ tokenOwnerUserName: owner.userName });
    for (const attempt of [scim.deleteUser(owner.id), scim.patchUser(owner.id, [{ op: 'replace', path: 'active', value: false }])]) {
      const error = await failureOf(attempt);
      expect(error).toMatchObject({ kind: 'bad-request', refusal: 'token-owner', status: 403 });
      expect(error.message).toContain('owns the SCIM token');
      expect(error.message).toContain('PROTECTED_USERS');
    }
    expect(sim.workspace.account(owner.id)?.inWorkspace).toBe(true);
  });

  it('keeps a 403 an auth failure when the token itself is refused', async () => {
    const user = sim.workspace.addUser({ userName: `someone.${++serial}@example.com` });
    const error = await failureOf(clientFor({}, 'revoked-token').deleteUser(user.id));
    expect(error).toMatchObject({ kind: 'auth' });
    expect(error.refusal).toBeUndefined();
  });

  it('names a workspace owner whose removal Notion refuses', async () => {
    const owner = sim.workspace.addUser({ userName: `admin.${++serial}@example.com`, role: 'owner' });
    const error = await failureOf(clientFor({ refuseOwnerRemoval: true }).patchUser(owner.id, [{ op: 'replace', path: 'active', value: false }]));
    expect(error).toMatchObject({ kind: 'bad-request', refusal: 'workspace-owner', status: 400 });
    expect(error.message).toContain('change their role in Notion first');
  });

  it('names an email change to a domain the organization has not verified', async () => {
    const user = sim.workspace.addUser({ userName: `ann.${++serial}@verified.example` });
    const scim = clientFor({ verifiedDomains: ['verified.example'] });
    const error = await failureOf(scim.patchUser(user.id, [{ op: 'replace', path: 'userName', value: `ann.${serial}@elsewhere.example` }]));
    expect(error).toMatchObject({ kind: 'bad-request', refusal: 'unverified-domain', status: 400 });
    expect(error.message).toContain('verify the domain');
    expect(sim.workspace.account(user.id)?.userName).toBe(`ann.${serial}@verified.example`);
    // Inside verified domains the same change goes through.
    await scim.patchUser(user.id, [{ op: 'replace', path: 'userName', value: `ann.${serial}.new@verified.example` }]);
    expect(sim.workspace.account(user.id)?.userName).toBe(`ann.${serial}.new@verified.example`);
  });

  it('still reads a userName collision (Notion: 500) as a conflict, not as a domain refusal', async () => {
    const taken = sim.workspace.addUser({ userName: `taken.${++serial}@example.com` });
    const user = sim.workspace.addUser({ userName: `mover.${serial}@example.com` });
    const error = await failureOf(clientFor().patchUser(user.id, [{ op: 'replace', path: 'userName', value: taken.userName }]));
    expect(error.kind).toBe('conflict');
    expect(error.refusal).toBeUndefined();
  });
});
