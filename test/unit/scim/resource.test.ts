import { describe, expect, it } from 'vitest';
import { scimResourceFromAttributes, ScimError } from '../../../src/scim/index.js';
import { userFromBody } from '../../../src/scim/resource.js';

const request = { method: 'GET', url: 'http://127.0.0.1/scim/v2/Users/1' };

describe('resources from mapped attributes', () => {
  it('nests dotted paths, typed multi-valued paths and extensions, and names every schema used', () => {
    const body = scimResourceFromAttributes('User', {
      userName: 'a@x',
      'name.givenName': 'A',
      'name.familyName': 'B',
      'emails[type eq "work"].value': 'a@x',
      active: true,
      title: null,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'R&D',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value': 'boss@x',
    });
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: 'a@x',
      name: { givenName: 'A', familyName: 'B' },
      emails: [{ type: 'work', primary: true, value: 'a@x' }],
      active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D', manager: { value: 'boss@x' } },
    });
  });

  it('sends no role extension when the mapping does not map the role', () => {
    const body = scimResourceFromAttributes('User', { userName: 'a@x' });
    expect(body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'a@x' });
  });

  it('builds a group body with the group schema', () => {
    expect(scimResourceFromAttributes('Group', { displayName: 'Designers' })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Designers',
    });
  });
});

describe('resources from answers', () => {
  it('drops meta, whose Notion timestamps mean nothing', () => {
    const user = userFromBody({ id: 'u1', userName: 'a@x', meta: { created: '1787393411245', location: 'https://app.notion.com/x' } }, request, 200);
    expect(user).toEqual({ id: 'u1', userName: 'a@x' });
  });

  it('refuses a user without id as an unexpected response', () => {
    expect(() => userFromBody({ userName: 'a@x' }, request, 200)).toThrow(ScimError);
    try {
      userFromBody({ userName: 'a@x' }, request, 200);
    } catch (error) {
      expect(error).toMatchObject({ kind: 'unexpected-response', status: 200, request });
    }
  });
});
