// SCIM filter building (RFC 7644 §3.4.2.2): attribute names checked, values escaped as JSON strings.

/** An attribute path such as `userName`, `emails.value` or a `urn:…:attr` extension path: nothing that could close the filter. */
const attributePath = /^(urn:[A-Za-z0-9.:_-]+:)?[A-Za-z][A-Za-z0-9_$-]*(\.[A-Za-z][A-Za-z0-9_$-]*)?$/;

/**
 * Escapes a value for use inside the double quotes of a filter. A compValue is a JSON string (RFC 7644
 * §3.4.2.2 → RFC 7159), so `"`, `\` and control characters are escaped exactly as JSON does.
 */
export function escapeFilterValue(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** `attribute eq "value"`, with the value escaped; throws on an attribute name that is not a plain path. */
export function eqFilter(attribute: string, value: string): string {
  if (!attributePath.test(attribute)) throw new Error(`not a SCIM attribute path usable in a filter: "${attribute}"`);
  return `${attribute} eq "${escapeFilterValue(value)}"`;
}
