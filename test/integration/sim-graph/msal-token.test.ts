// The real @azure/msal-node ConfidentialClientApplication gets tokens from the simulator with each credential kind.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTenant, startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph/index.js';
import { graphGet, requestToken } from './graph-session.js';

const folder = mkdtempSync(join(tmpdir(), 'sim-graph-msal-'));
function makeCertificate(name: string): { certificatePem: string; privateKey: string; thumbprintSha256: string } {
  const keyPath = join(folder, `${name}.key`);
  const certPath = join(folder, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  const certificatePem = readFileSync(certPath, 'utf8');
  return {
    certificatePem,
    privateKey: readFileSync(keyPath, 'utf8'),
    thumbprintSha256: new X509Certificate(certificatePem).fingerprint256.replaceAll(':', ''),
  };
}
const registered = makeCertificate('registered');
const stranger = makeCertificate('stranger');

const tenant = generateTenant({ seed: 7, users: 20, groups: 3 });
const simulators: GraphSimulator[] = [];
async function simulator(options: Partial<Parameters<typeof startGraphSimulator>[0]> = {}): Promise<GraphSimulator> {
  const sim = await startGraphSimulator({
    tenant, certificatePem: registered.certificatePem, federatedToken: 'federated-token-from-kubernetes', ...options,
  });
  simulators.push(sim);
  return sim;
}

afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
  rmSync(folder, { recursive: true, force: true });
});

function msalClient(sim: GraphSimulator, credential: Partial<Configuration['auth']>): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: sim.clientId,
      authority: `${sim.authorityHost}/${sim.tenantId}`,
      knownAuthorities: [new URL(sim.authorityHost).host],
      ...credential,
    },
  });
}

async function msalToken(sim: GraphSimulator, credential: Partial<Configuration['auth']>): Promise<string> {
  const result = await msalClient(sim, credential).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  if (!result) throw new Error('MSAL returned no token');
  return result.accessToken;
}

function rolesOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).roles;
}

describe('the Graph simulator token endpoint with the real MSAL client', () => {
  it('issues a token for the client secret that opens the Graph API', async () => {
    const sim = await simulator();
    const token = await msalToken(sim, { clientSecret: sim.clientSecret });
    expect(rolesOf(token)).toEqual(['User.Read.All', 'GroupMember.Read.All', 'Application.Read.All']);
    const answer = await graphGet(sim, '/v1.0/users?$top=5', token);
    expect(answer.status).toBe(200);
    expect(answer.body.value).toHaveLength(5);
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const sim = await simulator();
    await expect(msalToken(sim, { clientSecret: 'not-the-secret' })).rejects.toThrow(/invalid_client|AADSTS7000215/);
  });

  it('accepts a client assertion signed with the registered certificate', async () => {
    const sim = await simulator();
    const token = await msalToken(sim, {
      clientCertificate: { thumbprintSha256: registered.thumbprintSha256, privateKey: registered.privateKey, x5c: registered.certificatePem },
    });
    expect((await graphGet(sim, `/v1.0/servicePrincipals/${sim.servicePrincipalId}`, token)).status).toBe(200);
  });

  it('refuses a client assertion signed with a certificate that is not registered', async () => {
    const sim = await simulator();
    await expect(msalToken(sim, {
      clientCertificate: { thumbprintSha256: stranger.thumbprintSha256, privateKey: stranger.privateKey },
    })).rejects.toThrow(/invalid_client/);
  });

  it('accepts the configured federated token as a string or from a callback', async () => {
    const sim = await simulator();
    const fromString = await msalToken(sim, { clientAssertion: 'federated-token-from-kubernetes' });
    const fromCallback = await msalToken(sim, { clientAssertion: async () => 'federated-token-from-kubernetes' });
    expect((await graphGet(sim, '/v1.0/groups', fromString)).status).toBe(200);
    expect((await graphGet(sim, '/v1.0/groups', fromCallback)).status).toBe(200);
  });

  it('refuses a federated token it was not configured with', async () => {
    const sim = await simulator();
    await expect(msalToken(sim, { clientAssertion: 'someone-elses-token' })).rejects.toThrow(/invalid_client/);
  });
});

describe('the Graph simulator access checks', () => {
  it('answers 401 with a Graph error body when no token is sent', async () => {
    const sim = await simulator();
    const answer = await graphGet(sim, '/v1.0/users', null);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
  });

  it('answers 401 for a token past its exp', async () => {
    const sim = await simulator({ tokenLifetimeSeconds: 0 });
    const { access_token: token } = (await (await requestToken(sim)).json()) as { access_token: string };
    const answer = await graphGet(sim, '/v1.0/users', token);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it('answers 403 when a permission the endpoint needs was not granted', async () => {
    const sim = await simulator({ grantedPermissions: ['User.Read.All', 'Application.Read.All'] });
    const token = await msalToken(sim, { clientSecret: sim.clientSecret });
    expect(rolesOf(token)).toEqual(['User.Read.All', 'Application.Read.All']);
    expect((await graphGet(sim, '/v1.0/users', token)).status).toBe(200);
    const answer = await graphGet(sim, '/v1.0/groups/delta', token);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
  });

  it('refuses a scope other than Graph .default', async () => {
    const sim = await simulator();
    const response = await requestToken(sim, { scope: 'https://management.azure.com/.default' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_scope' });
  });
});
