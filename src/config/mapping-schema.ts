// The shape of the attribute-mapping and scoping-filter configuration (Entra's "Attribute mappings" blade as JSON).
// Only the shape is checked here; expressions are parsed and checked by src/mapping when the mapping is compiled.
import { z } from 'zod';

/** One target attribute: exactly one of `direct`, `constant` or `expression` says where its value comes from. */
export const attributeMappingSchema = z
  .object({
    /** SCIM path in the target, e.g. `userName`, `name.givenName`, `emails[type eq "work"].value`. */
    target: z.string().min(1),
    /** Direct mapping: the name of an Entra attribute, e.g. `userPrincipalName`. */
    direct: z.string().min(1).optional(),
    /** Constant mapping: a fixed string. */
    constant: z.string().optional(),
    /** Expression mapping in Entra's syntax, e.g. `Join(" ", [givenName], [surname])`. */
    expression: z.string().min(1).optional(),
    /** `always` (create and update) or `create` (only when the object is created), as Entra's "Apply this mapping". */
    apply: z.enum(['always', 'create']).default('always'),
    /** Used on create only, when the source evaluates to null (Entra's "Default value if null"). */
    defaultIfNull: z.string().optional(),
    /** Present when this attribute is used to match existing target objects; lower numbers are tried first. */
    matchingPrecedence: z.number().int().positive().optional(),
  })
  .strict()
  .refine((m) => [m.direct, m.constant, m.expression].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of "direct", "constant" or "expression"',
  });

export const scopingOperators = [
  '&',
  '!&',
  'ENDS_WITH',
  'EQUALS',
  'Greater_Than',
  'Greater_Than_OR_EQUALS',
  'Includes',
  'IS FALSE',
  'IS NOT NULL',
  'IS NULL',
  'IS TRUE',
  'NOT EQUALS',
  'NOT REGEX MATCH',
  'REGEX MATCH',
] as const;

export const scopingClauseSchema = z
  .object({
    attribute: z.string().min(1),
    operator: z.enum(scopingOperators),
    /** Not used by the IS ... operators. */
    value: z.string().optional(),
  })
  .strict();

/** Clauses inside one filter are AND-ed; filters are OR-ed (Entra's rule). No filter = everything in scope. */
export const scopingFilterSchema = z.object({ name: z.string().optional(), clauses: z.array(scopingClauseSchema).min(1) }).strict();

export const mappingConfigSchema = z
  .object({
    user: z.array(attributeMappingSchema).min(1),
    group: z.array(attributeMappingSchema).default([]),
    scopingFilters: z
      .object({
        user: z.array(scopingFilterSchema).default([]),
        group: z.array(scopingFilterSchema).default([]),
      })
      .strict()
      .default({ user: [], group: [] }),
  })
  .strict();

export type AttributeMapping = z.infer<typeof attributeMappingSchema>;
export type ScopingOperator = (typeof scopingOperators)[number];
export type ScopingClause = z.infer<typeof scopingClauseSchema>;
export type ScopingFilter = z.infer<typeof scopingFilterSchema>;
export type MappingConfig = z.infer<typeof mappingConfigSchema>;
