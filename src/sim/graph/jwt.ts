// Access tokens the simulator issues (HS256 JWTs carrying `roles` and `exp`) and the checks on client
// assertions MSAL sends: a JWT signed with a registered certificate's key, or a configured federated token.
import { X509Certificate, constants, createHash, createHmac, timingSafeEqual, verify } from 'node:crypto';

type Claims = Record<string, unknown>;

function decodeSegment(segment: string | undefined): Claims | null {
  if (!segment) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Claims) : null;
  } catch {
    return null;
  }
}

export function signAccessToken(claims: Claims, secret: Buffer): string {
  const head = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export type AccessTokenCheck = { ok: true; roles: string[] } | { ok: false; message: string };

/** Checks an access token this simulator issued: signature, tenant and lifetime. */
export function checkAccessToken(token: string, secret: Buffer, tenantId: string, nowSeconds: number): AccessTokenCheck {
  const [head, body, signature] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature ?? '', 'base64url');
  const claims = decodeSegment(body);
  if (!claims || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, message: 'Access token validation failure. Invalid signature.' };
  }
  if (claims.tid !== tenantId) return { ok: false, message: 'Access token validation failure. Invalid tenant.' };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
    return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [];
  return { ok: true, roles };
}

export interface AssertionExpectation {
  clientId: string;
  tokenEndpoint: string;
  nowSeconds: number;
}

/**
 * Verifies MSAL's certificate credential: a JWT (RS256 with `x5t`, or PS256 with `x5t#S256`) whose
 * thumbprint names the registered certificate, signed by its key, with iss = sub = client id and
 * aud = the token endpoint (RFC 7523 §3). Returns a reason when it fails.
 */
export function certificateAssertionProblem(assertion: string, certificatePem: string, expect: AssertionExpectation): string | null {
  const [head, body, signature] = assertion.split('.');
  const header = decodeSegment(head);
  const claims = decodeSegment(body);
  if (!header || !claims || !signature) return 'The client assertion is not a JWT.';
  const certificate = new X509Certificate(certificatePem);
  const sha256 = createHash('sha256').update(certificate.raw).digest('base64url');
  const sha1 = createHash('sha1').update(certificate.raw).digest('base64url');
  if (header['x5t#S256'] !== sha256 && header.x5t !== sha1) return 'The certificate thumbprint is not registered for this app.';
  const signed = Buffer.from(`${head}.${body}`);
  const signatureBytes = Buffer.from(signature, 'base64url');
  const key = certificate.publicKey;
  const valid = header.alg === 'PS256'
    ? verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signatureBytes)
    : header.alg === 'RS256' && verify('sha256', signed, key, signatureBytes);
  if (!valid) return 'Client assertion failed signature validation.';
  if (claims.iss !== expect.clientId || claims.sub !== expect.clientId) return 'The client assertion names another client.';
  if (claims.aud !== expect.tokenEndpoint) return `The client assertion audience must be ${expect.tokenEndpoint}.`;
  if (typeof claims.exp !== 'number' || claims.exp <= expect.nowSeconds) return 'The client assertion is expired.';
  return null;
}
