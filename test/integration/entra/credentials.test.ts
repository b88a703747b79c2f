// The real MSAL client path for each credential kind, token caching, and `check` for the Graph side.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialFromConfig } from '../../../src/entra/index.js';
import { generateTenant, startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from '../../../src/sim/graph/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { createEntraSource } from '../../../src/entra/index.js';
import { entraConfig } from './entra-session.js';

const folder = mkdtempSync(join(tmpdir(), 'entra-credentials-'));
const pemPath = join(folder, 'app.pem');
const tokenFile = join(folder, 'federated-token');
let certificatePem = '';
const tenant = generateTenant({ seed: 51, users: 30, groups: 4 });
const simulators: GraphSimulator[] = [];
const logger = createLogger({ level: 'silent' });

beforeAll(() => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
    '-days', '2', '-subj', '/CN=entra-notion-sync'], { stdio: 'ignore' });
  certificatePem = readFileSync(join(folder, 'cert.pem'), 'utf8');
  writeFileSync(pemPath, readFileSync(join(folder, 'key.pem'), 'utf8') + certificatePem);
});
afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function simulator(options: Partial<GraphSimulatorOptions> = {}): Promise<GraphSimulator> {
  const sim = await startGraphSimulator({ tenant, certificatePem, federatedToken: 'token-from-the-cluster', ...options });
  simulators.push(sim);
  return sim;
}

const tokenRequests = (sim: GraphSimulator): number => sim.requestCounts()['POST /{tenant}/oauth2/v2.0/token'] ?? 0;

describe('credentials', () => {
  it('picks the federated token file, then the certificate, then the secret', () => {
    const base = { auth: 'auto', authorityHost: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com', scope: 'assigned', transitiveGroups: false, scopeShrinkHoldPercent: 30 } as const;
    expect(credentialFromConfig({ ...base, clientSecret: 's', certificatePath: '/c.pem', federatedTokenFile: '/t' })).toEqual({ kind: 'federated', tokenFile: '/t' });
    expect(credentialFromConfig({ ...base, clientSecret: 's', certificatePath: '/c.pem' })).toEqual({ kind: 'certificate', pemPath: '/c.pem' });
    expect(credentialFromConfig({ ...base, clientSecret: 's' })).toEqual({ kind: 'secret', clientSecret: 's' });
    expect(() => credentialFromConfig(base)).toThrow(/clientSecret, certificatePath or federatedTokenFile/);
  });

  it('reads Graph with a client secret, asking for one token for many requests', async () => {
    const sim = await simulator();
    const source = createEntraSource({ config: entraConfig(sim), logger });
    const report = await source.checkAccess();
    expect(report).toMatchObject({ ok: true, token: { acquired: true }, servicePrincipal: { found: true, id: sim.servicePrincipalId } });
    expect(source.stats().requests).toBeGreaterThan(1);
    expect(tokenRequests(sim)).toBe(1);
  });

  it('asks for a new token before the cached one expires', async () => {
    // MSAL renews a token within five minutes of its expiry, so a 60-second token is renewed for each request.
    const sim = await simulator({ tokenLifetimeSeconds: 60 });
    const source = createEntraSource({ config: entraConfig(sim), logger });
    expect((await source.checkAccess()).ok).toBe(true);
    expect(tokenRequests(sim)).toBe(source.stats().requests + 1);
  });

  it('reads Graph with a certificate from a PEM file holding the key and the certificate', async () => {
    const sim = await simulator();
    const source = createEntraSource({ config: entraConfig(sim, { clientSecret: undefined, certificatePath: pemPath }), logger });
    expect(await source.checkAccess()).toMatchObject({ ok: true, token: { acquired: true } });
  });

  it('reads the federated token file again on each token request', async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 60 });
    writeFileSync(tokenFile, 'an-old-token\n');
    const source = createEntraSource({ config: entraConfig(sim, { clientSecret: undefined, federatedTokenFile: tokenFile }), logger });
    const refused = await source.checkAccess();
    expect(refused).toMatchObject({ ok: false, token: { acquired: false, error: expect.stringContaining('invalid_client') } });
    writeFileSync(tokenFile, 'token-from-the-cluster\n');
    expect(await source.checkAccess()).toMatchObject({ ok: true, token: { acquired: true } });
  });
});

describe('checkAccess', () => {
  it('reports the permissions in the token and the assignment counts', async () => {
    const sim = await simulator();
    const report = await createEntraSource({ config: entraConfig(sim), logger }).checkAccess();
    expect(report.permissions).toEqual({ granted: ['User.Read.All', 'GroupMember.Read.All', 'Application.Read.All'], missing: [] });
    expect(report.assignments).toEqual({
      users: tenant.assignments().filter((row) => row.principalType === 'User').length,
      groups: tenant.assignments().filter((row) => row.principalType === 'Group').length,
    });
  });

  it('names a missing permission, counting a broader one as present', async () => {
    const sim = await simulator({ grantedPermissions: ['Directory.Read.All', 'Application.Read.All'] });
    expect((await createEntraSource({ config: entraConfig(sim), logger }).checkAccess()).permissions.missing).toEqual([]);
    const narrow = await simulator({ grantedPermissions: ['User.Read.All', 'Application.Read.All'] });
    const report = await createEntraSource({ config: entraConfig(narrow), logger }).checkAccess();
    expect(report).toMatchObject({ ok: false, permissions: { missing: ['GroupMember.Read.All'] } });
  });

  it('finds the service principal by the app id when none is configured, and says when it is not found', async () => {
    const sim = await simulator();
    const byAppId = await createEntraSource({ config: entraConfig(sim, { servicePrincipalId: undefined }), logger }).checkAccess();
    expect(byAppId.servicePrincipal).toMatchObject({ found: true, id: sim.servicePrincipalId });
    const missing = await createEntraSource({ config: entraConfig(sim, { servicePrincipalId: '00000000-0000-0000-0000-000000000001' }), logger }).checkAccess();
    expect(missing).toMatchObject({ ok: false, servicePrincipal: { found: false, error: expect.stringContaining('404') }, assignments: null });
  });

  it('says why no token was acquired', async () => {
    const sim = await simulator();
    const report = await createEntraSource({ config: entraConfig(sim, { clientSecret: 'wrong' }), logger }).checkAccess();
    expect(report).toMatchObject({ ok: false, token: { acquired: false, error: expect.stringMatching(/invalid_client|AADSTS/) } });
  });
});
