// Reading Graph's answers: the page shape (anything else fails closed), delta items with @removed and
// members@delta, strings the store cannot hold, and network failures named by their cause.
import { describe, expect, it } from 'vitest';
import { cleanAttributes, cleanText } from '../../../src/entra/clean-text.js';
import { toMembershipWrites, toObjectWrite } from '../../../src/entra/delta-items.js';
import { parseGraphPage } from '../../../src/entra/graph-page.js';
import { describeNetworkFailure } from '../../../src/entra/network-failure.js';

const origin = 'https://graph.microsoft.com';
const next = `${origin}/v1.0/users/delta?$skiptoken=abc`;
const delta = `${origin}/v1.0/users/delta?$deltatoken=abc`;
const parse = (body: unknown, isDelta = true) => parseGraphPage(body, { delta: isDelta, graphOrigin: origin, what: 'users/delta' });

describe('a Graph page', () => {
  it('is read when it has a value array of objects with ids and one link', () => {
    expect(parse({ value: [{ id: 'u1' }], '@odata.nextLink': next })).toEqual({ value: [{ id: 'u1' }], nextLink: next, deltaLink: null });
    expect(parse({ value: [], '@odata.deltaLink': delta })).toEqual({ value: [], nextLink: null, deltaLink: delta });
    expect(parse({ value: [{ id: 'a' }] }, false)).toEqual({ value: [{ id: 'a' }], nextLink: null, deltaLink: null });
  });

  const malformed: Array<[string, unknown, boolean]> = [
    ['value null', { value: null, '@odata.deltaLink': delta }, true],
    ['value missing', { '@odata.deltaLink': delta }, true],
    ['value an object', { value: {}, '@odata.deltaLink': delta }, true],
    ['an item that is a string', { value: ['u1'], '@odata.deltaLink': delta }, true],
    ['an item that is null', { value: [null], '@odata.deltaLink': delta }, true],
    ['an item without id', { value: [{ displayName: 'x' }], '@odata.deltaLink': delta }, true],
    ['an item with a numeric id', { value: [{ id: 7 }], '@odata.deltaLink': delta }, true],
    ['no link on a delta page', { value: [] }, true],
    ['both links on a delta page', { value: [], '@odata.nextLink': next, '@odata.deltaLink': delta }, true],
    ['a link that is not a string', { value: [], '@odata.deltaLink': 42 }, true],
    ['a link that is not a URL', { value: [], '@odata.nextLink': 'next page please' }, true],
    ['a link to another host', { value: [], '@odata.nextLink': 'https://evil.example/v1.0/users/delta' }, true],
    ['a link over plain http', { value: [], '@odata.deltaLink': 'http://graph.microsoft.com/v1.0/users/delta' }, true],
    ['a deltaLink on a list page', { value: [], '@odata.deltaLink': delta }, false],
    ['an array instead of a page', [], false],
  ];
  it.each(malformed)('with %s fails the read as malformed', (_what, body, isDelta) => {
    expect(() => parse(body, isDelta)).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });
});

describe('delta items', () => {
  it('keeps properties and drops annotations', () => {
    expect(toObjectWrite({ id: 'u1', displayName: 'Ada', '@odata.type': '#microsoft.graph.user', 'members@delta': [] }))
      .toEqual({ id: 'u1', attributes: { id: 'u1', displayName: 'Ada' }, removedReason: null });
  });

  it('keeps the @removed reason: changed for a soft delete, deleted for a hard delete', () => {
    expect(toObjectWrite({ id: 'u1', '@removed': { reason: 'changed' } })).toEqual({ id: 'u1', attributes: null, removedReason: 'changed' });
    expect(toObjectWrite({ id: 'u1', '@removed': { reason: 'deleted' } })).toEqual({ id: 'u1', attributes: null, removedReason: 'deleted' });
  });

  it('refuses an item without id and an @removed with an unknown or missing reason', () => {
    expect(() => toObjectWrite({ displayName: 'no id' })).toThrow(expect.objectContaining({ kind: 'malformed' }));
    expect(() => toObjectWrite({ id: 'u1', '@removed': { reason: 'archived' } })).toThrow(/unknown reason "archived"/);
    expect(() => toObjectWrite({ id: 'u1', '@removed': null })).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });

  it('reads members@delta adds and removals of users and groups, skipping other member kinds', () => {
    expect(toMembershipWrites({
      id: 'g1',
      'members@delta': [
        { '@odata.type': '#microsoft.graph.user', id: 'u1' },
        { '@odata.type': '#microsoft.graph.group', id: 'g2', '@removed': { reason: 'deleted' } },
        { '@odata.type': '#microsoft.graph.device', id: 'd1' },
      ],
    })).toEqual([
      { groupId: 'g1', memberId: 'u1', memberType: 'user', removed: false },
      { groupId: 'g1', memberId: 'g2', memberType: 'group', removed: true },
    ]);
  });

  it.each([
    ['an entry without id', [{ '@odata.type': '#microsoft.graph.user' }]],
    ['an entry that is not an object', ['u1']],
    ['an entry without @odata.type', [{ id: 'u1' }]],
    ['a removal with an unknown reason', [{ '@odata.type': '#microsoft.graph.user', id: 'u1', '@removed': { reason: 'gone' } }]],
    ['members@delta that is not an array', { id: 'u1' }],
  ])('refuses members@delta with %s', (_what, entries) => {
    expect(() => toMembershipWrites({ id: 'g1', 'members@delta': entries })).toThrow(expect.objectContaining({ kind: 'malformed' }));
  });
});

describe('strings the store cannot hold', () => {
  it('loses NUL and other C0 controls but keeps tab and newline; a lone surrogate becomes U+FFFD', () => {
    expect(cleanText('Ada\u0000 Love\u0007lace\tB\nC\r')).toBe('Ada Lovelace\tB\nC');
    expect(cleanText('x\uD800y')).toBe('x\uFFFDy');
  });

  it('leaves emoji, quotes, backslashes and very long names as they are', () => {
    const name = `${'é'.repeat(9990)}"\\'😀🏳️‍🌈`;
    expect(cleanText(name)).toBe(name);
    expect(cleanAttributes({ displayName: name, otherMails: ['a@b'] })).toEqual({ attributes: { displayName: name, otherMails: ['a@b'] }, repaired: [] });
  });

  it('names the attributes it changed, nested values included', () => {
    expect(cleanAttributes({ id: 'u1', displayName: 'A\u0000', otherMails: ['x\u0001@y'], employeeOrgData: { division: 'ok' } }))
      .toEqual({ attributes: { id: 'u1', displayName: 'A', otherMails: ['x@y'], employeeOrgData: { division: 'ok' } }, repaired: ['displayName', 'otherMails'] });
  });
});

describe('a network failure', () => {
  const failed = (code: string): Error => new TypeError('fetch failed', { cause: Object.assign(new Error(`boom ${code}`), { code }) });
  it('names DNS, refused connections and TLS trust with what to do', () => {
    expect(describeNetworkFailure(failed('ENOTFOUND'), 'https://login.example.invalid/t')).toMatch(/cannot resolve login\.example\.invalid \(ENOTFOUND\)/);
    expect(describeNetworkFailure(failed('ECONNREFUSED'), 'https://127.0.0.1:1/')).toMatch(/refused the connection \(ECONNREFUSED\)/);
    expect(describeNetworkFailure(failed('SELF_SIGNED_CERT_IN_CHAIN'), 'https://graph.microsoft.com/')).toMatch(/not trusted \(SELF_SIGNED_CERT_IN_CHAIN\).*NODE_EXTRA_CA_CERTS/);
    expect(describeNetworkFailure(failed('CERT_HAS_EXPIRED'), 'https://graph.microsoft.com/')).toMatch(/expired \(CERT_HAS_EXPIRED\)/);
  });
});
