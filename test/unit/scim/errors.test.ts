import { describe, expect, it } from 'vitest';
import { errorFromAnswer, parseRetryAfter, type HttpAnswer } from '../../../src/scim/errors.js';

const request = { method: 'GET', url: 'https://api.notion.com/scim/v2/Users/1' };
const json = (status: number, body: unknown, extra: Partial<HttpAnswer> = {}): HttpAnswer => ({
  status,
  contentType: 'application/json; charset=utf-8',
  retryAfter: undefined,
  bodyText: JSON.stringify(body),
  ...extra,
});

describe('classifying failed answers', () => {
  it.each([
    [400, 'bad-request'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'conflict'],
    [422, 'bad-request'],
    [429, 'transient'],
    [500, 'transient'],
    [503, 'transient'],
    [529, 'transient'],
  ])('reads a SCIM error with status %i as %s', (status, kind) => {
    expect(errorFromAnswer(json(status, { status: String(status), detail: 'why' }), request)).toMatchObject({ kind, status, detail: 'why', request });
  });

  it('carries the SCIM detail and scimType of the body', () => {
    const error = errorFromAnswer(json(400, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidFilter', detail: 'bad filter' }), request);
    expect(error).toMatchObject({ kind: 'bad-request', scimType: 'invalidFilter', detail: 'bad filter' });
    expect(error.message).toContain('bad filter');
  });

  it('reads a 404 web page as an unexpected response, not as an absent object', () => {
    const page: HttpAnswer = { status: 404, contentType: 'text/html', retryAfter: undefined, bodyText: '<html><body>Not Found</body></html>' };
    expect(errorFromAnswer(page, request).kind).toBe('unexpected-response');
  });

  it('reads Retry-After of a 429 in seconds or as a date', () => {
    expect(errorFromAnswer(json(429, { code: 'rate_limited' }, { retryAfter: '2' }), request).retryAfterMs).toBe(2000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 08:00:10 GMT', Date.parse('Tue, 24 Nov 2026 08:00:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
