// `$filter` clauses built from names (a display name, a group's name to find): what the name holds must reach Graph
// as the name, whatever its characters.

/**
 * `property eq 'value'`, ready for the query string: quotes doubled (OData string literal), then percent-encoded,
 * because the Graph client puts `$filter` into the URL as given: an `&` would end the parameter, a `#` start the
 * fragment and a `+` read as a space (a group named "R&D #2" would be looked up as "R").
 */
export const equalsFilter = (property: string, value: string): string => encodeURIComponent(`${property} eq '${value.replaceAll("'", "''")}'`);
