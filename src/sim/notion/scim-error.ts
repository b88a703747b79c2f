// SCIM error answers (RFC 7644 §3.12) the simulator throws from its handlers, and the schema URNs it speaks.
export const schemaUrn = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  notionUser: 'urn:ietf:params:scim:schemas:extension:notion:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
} as const;

export type ScimType = 'invalidFilter' | 'invalidPath' | 'invalidSyntax' | 'invalidValue' | 'uniqueness' | 'mutability' | 'tooMany';

/** An answer other than success; the server turns it into a SCIM error body with this status. */
export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: ScimType,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ScimHttpError';
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): Record<string, unknown> {
  // Notion's errors carry `status` and `detail` in the SCIM Error style (reference §5.2).
  return { schemas: [schemaUrn.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}
