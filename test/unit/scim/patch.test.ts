import { describe, expect, it } from 'vitest';
import { patchOperationsFromDiff } from '../../../src/scim/index.js';
import { memberOperations, patchRequestBody, withoutExtensionPaths } from '../../../src/scim/patch.js';

const role = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User:role';

describe('PATCH operations from a diff', () => {
  it('replaces what changed, removes what was cleared and leaves equal values alone', () => {
    const applied = { userName: 'a@x', 'name.givenName': 'Ann', title: 'Engineer', active: true };
    const desired = { userName: 'a@x', 'name.givenName': 'Anna', title: null, active: true };
    expect(patchOperationsFromDiff(applied, desired)).toEqual([
      { op: 'replace', path: 'name.givenName', value: 'Anna' },
      { op: 'remove', path: 'title' },
    ]);
  });

  it('sends nothing when the desired attributes equal the applied ones', () => {
    const attributes = { userName: 'a@x', roles: ['x', 'y'], active: false };
    expect(patchOperationsFromDiff(attributes, { ...attributes, roles: ['x', 'y'] })).toEqual([]);
  });

  it('adds a value that was never applied as a replace, and ignores a value absent on both sides', () => {
    expect(patchOperationsFromDiff({ title: null }, { 'emails[type eq "work"].value': 'a@x', title: null })).toEqual([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@x' },
    ]);
  });
});

describe('member operations', () => {
  it('splits 120 members into chunks of at most 50 value entries', () => {
    const ids = Array.from({ length: 120 }, (_, i) => `u${i}`);
    const operations = memberOperations('add', ids, 50);
    expect(operations.map((o) => (o.value as unknown[]).length)).toEqual([50, 50, 20]);
    expect(operations[2]).toMatchObject({ op: 'add', path: 'members' });
    expect((operations[2]!.value as Array<{ value: string }>)[19]).toEqual({ value: 'u119' });
  });
});

describe('PatchOp bodies', () => {
  it('writes lower-case ops and a boolean active in the RFC dialect', () => {
    expect(patchRequestBody([{ op: 'replace', path: 'active', value: false }], 'rfc')).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
  });

  it('writes capitalised ops and "False" in the Entra dialect', () => {
    const body = patchRequestBody([{ op: 'replace', path: 'active', value: false }, { op: 'remove', path: 'title' }], 'entra');
    expect(body.Operations).toEqual([{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Remove', path: 'title' }]);
  });

  it('turns an extension path into a path-less value object, but keeps the path of a remove', () => {
    expect(withoutExtensionPaths([{ op: 'replace', path: role, value: 'member' }, { op: 'remove', path: role }, { op: 'replace', path: 'title', value: 'X' }])).toEqual([
      { op: 'replace', value: { 'urn:ietf:params:scim:schemas:extension:notion:2.0:User': { role: 'member' } } },
      { op: 'remove', path: role },
      { op: 'replace', path: 'title', value: 'X' },
    ]);
  });
});
