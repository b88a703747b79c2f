// Secret redaction for every string that leaves the process or enters the store: known secret values registered
// once at start-up (tokens, client secret, database password), and patterns of secret material in free text.

/**
 * Patterns of secret material that may hide inside free text such as error messages. A pattern with a capture
 * group keeps the group (the name of what was hidden) and replaces the rest of the match.
 */
const secretPatterns: RegExp[] = [
  // An echoed header or form/JSON field: `Authorization: Bearer …`, `"access_token":"…"`, `client_secret=…`.
  // The optional backslashes cover the same text inside a JSON string (a serialised log line, a stored body).
  // `client_secret` only in its OAuth spelling: `sim graph` prints its own throwaway `clientSecret` for people to use,
  // and a configured secret is caught anyway by its registered value.
  /(\b(?:authorization|access_?token|refresh_?token|id_?token|client_secret|client_assertion|client_?state)\\?["']?\s*[:=]\s*\\?["']?)(?:(?:Bearer|Basic|Token)\s+)?[^\s"'&,;}\\]+/gi,
  // A token after the scheme word, whatever it spells, but not the English "bearer token(s)": Notion answers a refused
  // token with "Invalid or missing bearer token". Only the bare word is spared (a sentence may end after it): any
  // other token character after it, as in `token123`, `token.abc` or `token-x`, makes it a token to hide.
  /(Bearer\s+)(?!tokens?[.,;:!?]?(?![A-Za-z0-9\-._~+/=]))[A-Za-z0-9\-._~+/]+=*/gi,
  // A bare JWT (header.payload.signature, both JSON parts base64url of `{"`): an access token or client assertion.
  /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
  /(postgres(?:ql)?:\/\/[^:/@\s"]+:)[^@\s"]+(@)/gi,
];

const registered = new Set<string>();

/** Values shorter than this are not treated as secrets: replacing them would mangle ordinary text. */
const minimumSecretLength = 4;

/** Remembers secret values for the life of the process; every later `redactText` call removes them. */
export function registerSecrets(values: ReadonlyArray<string | undefined | null>): void {
  for (const value of values) if (typeof value === 'string' && value.length >= minimumSecretLength) registered.add(value);
}

/** Replaces registered and given secret values, and secret-looking material, in any text. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of [...registered, ...secrets]) {
    if (secret.length < minimumSecretLength) continue;
    out = out.split(secret).join('[Redacted]');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join('[Redacted]');
  }
  for (const pattern of secretPatterns) {
    out = out.replace(pattern, (_match, prefix?: unknown, suffix?: unknown) =>
      typeof prefix === 'string' && prefix.length > 0 && !prefix.startsWith('-----') ? `${prefix}[Redacted]${typeof suffix === 'string' ? suffix : ''}` : '[Redacted]',
    );
  }
  return out;
}

/** `redactText` for nullable store columns. */
export function redactOptional<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? redactText(text) : text) as T;
}
