// Turns a failed connection (fetch's "fetch failed" wrapping the real error) into one line that names the cause
// and what to do about it: DNS, a refused port, an untrusted or expired TLS certificate, a timeout, a proxy.

const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED',
]);
const CORPORATE_CA_HINT = 'if a proxy or firewall re-signs TLS with a corporate CA, point NODE_EXTRA_CA_CERTS to that CA\'s PEM file (read at process start)';

/** The error code deepest in the `cause` chain (undici puts the socket's error under `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 8; depth += 1) {
    const candidate = (current as { code?: unknown }).code;
    if (typeof candidate === 'string') code = candidate;
    current = (current as { cause?: unknown }).cause;
  }
  return code;
}

export function describeNetworkFailure(error: unknown, url: string): string {
  const where = hostOf(url);
  const code = networkErrorCode(error);
  const detail = deepestMessage(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${where} (${code}): check the host name in the configuration and this machine's DNS`;
  if (code === 'ECONNREFUSED') return `${where} refused the connection (ECONNREFUSED): nothing listens there; check the URL and port, or the proxy`;
  if (code && UNTRUSTED_CERTIFICATE.has(code)) return `the TLS certificate of ${where} is not trusted (${code}): ${CORPORATE_CA_HINT}`;
  if (code === 'CERT_HAS_EXPIRED') return `the TLS certificate of ${where} has expired (CERT_HAS_EXPIRED): check this machine's clock, or the certificate a proxy presents; ${CORPORATE_CA_HINT}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the TLS certificate of ${where} is for another host name (${code}): check the URL, or the proxy that answers for it`;
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `connecting to ${where} timed out (${code}): check the network path, firewall or HTTPS_PROXY`;
  return `cannot reach ${where}${code ? ` (${code})` : ''}: ${detail}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function deepestMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}
