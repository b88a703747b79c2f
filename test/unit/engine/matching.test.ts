// Matching and reading Notion back: flat SCIM paths out of resources, and candidates found by userName or email.
import { describe, expect, it } from 'vitest';
import { indexGroups, indexUsers, matchGroup, matchUser } from '../../../src/engine/matching.js';
import { observedAttributes, readScimPath } from '../../../src/engine/observed.js';

const paths = ['userName', 'emails[type eq "work"].value'];

describe('readScimPath', () => {
  const resource = {
    userName: 'a@example.com',
    name: { formatted: 'Ada' },
    emails: [{ value: 'ada@work.example', type: 'work' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
  };

  it('reads dotted, typed multi-valued and extension paths, case-insensitively', () => {
    expect(readScimPath(resource, 'name.Formatted')).toBe('Ada');
    expect(readScimPath(resource, 'emails[type eq "work"].value')).toBe('ada@work.example');
    expect(readScimPath(resource, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department')).toBe('R&D');
  });

  it('leaves out a path Notion does not echo, so that it is not read as cleared and sent again', () => {
    expect(observedAttributes(resource, ['title', 'userName'])).toEqual({ userName: 'a@example.com' });
    expect(observedAttributes({ ...resource, title: null }, ['title'])).toEqual({ title: null });
  });

  it('reads a typed email path from emails Notion answers without a type: the primary one, or the only one', () => {
    const notion = { userName: 'a@example.com', emails: [{ value: 'other@example.com', primary: false }, { value: 'a@example.com', primary: true }] };
    expect(readScimPath(notion, 'emails[type eq "work"].value')).toBe('a@example.com');
    expect(readScimPath({ emails: [{ value: 'only@example.com' }] }, 'emails[type eq "work"].value')).toBe('only@example.com');
    // Typed entries of another type are not the work email.
    expect(readScimPath({ emails: [{ value: 'home@example.com', type: 'home' }] }, 'emails[type eq "work"].value')).toBeUndefined();
  });

  it("reads an email the user carries in Notion's one Email field (userName or any email) as the value wanted", () => {
    const notion = { userName: 'Ada@Example.com', emails: [{ value: 'ada@example.com', primary: true }, { value: 'second@example.com', primary: false }] };
    const work = 'emails[type eq "work"].value';
    expect(observedAttributes(notion, [work], { [work]: 'ada@example.com' })).toEqual({ [work]: 'ada@example.com' });
    expect(observedAttributes(notion, [work], { [work]: 'SECOND@example.com' })).toEqual({ [work]: 'SECOND@example.com' });
    expect(observedAttributes(notion, [work], { [work]: 'elsewhere@example.com' })).toEqual({ [work]: 'ada@example.com' });
  });
});

describe('matchUser', () => {
  it('finds by lower-cased userName first, then by email', () => {
    const index = indexUsers([{ id: 'n1', userName: 'ADA@example.com' }, { id: 'n2', userName: 'x@example.com', emails: [{ value: 'grace@example.com', type: 'work' }] }], true, new Set());
    expect(matchUser(index, paths, { userName: 'ada@EXAMPLE.com' })).toMatchObject({ kind: 'found', resource: { id: 'n1' } });
    expect(matchUser(index, paths, { userName: 'nobody@example.com', 'emails[type eq "work"].value': 'grace@example.com' })).toMatchObject({ kind: 'found', resource: { id: 'n2' } });
  });

  it('says none on a complete listing, unknown on an incomplete one, and conflict for a taken candidate', () => {
    expect(matchUser(indexUsers([], true, new Set()), paths, { userName: 'a@example.com' })).toEqual({ kind: 'none' });
    expect(matchUser(indexUsers([], false, new Set()), paths, { userName: 'a@example.com' })).toEqual({ kind: 'unknown' });
    const taken = indexUsers([{ id: 'n1', userName: 'a@example.com' }], true, new Set(['n1']));
    expect(matchUser(taken, paths, { userName: 'a@example.com' })).toMatchObject({ kind: 'conflict' });
  });
});

describe('matchGroup', () => {
  it('matches groups by displayName and refuses two of the same name', () => {
    const index = indexGroups([{ id: 'g1', displayName: 'Sales' }, { id: 'g2', displayName: 'Ops' }, { id: 'g3', displayName: 'ops' }], true, new Set());
    expect(matchGroup(index, 'sales')).toMatchObject({ kind: 'found', resource: { id: 'g1' } });
    expect(matchGroup(index, 'Ops')).toMatchObject({ kind: 'conflict' });
  });
});
