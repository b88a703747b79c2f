// `$filter` clauses built from names (a display name, a group's name to find): what the name holds must reach Graph
// as the name, whatever its characters (graph-reader.ts encodes every clause for the URL).

/** `property eq 'value'`: quotes doubled (an OData string literal); the reader encodes the clause for the URL. */
export const equalsFilter = (property: string, value: string): string => `${property} eq '${value.replaceAll("'", "''")}'`;
