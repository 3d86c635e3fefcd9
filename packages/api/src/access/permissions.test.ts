import { describe, expect, it } from 'vitest';
import { sameOrigin } from './access-control';
import { ROUTE_RULES, ruleFor } from './permissions';

describe('ruleFor', () => {
  it.each([
    ['GET', '/api/v1/violations', '/api/v1/violations'],
    ['GET', '/api/v1/violations/abc', '/api/v1/violations/:id'],
    ['GET', '/api/v1/violations/abc/', '/api/v1/violations/:id'],
    ['GET', '/api/v1/violations/abc/evidence/0f', '/api/v1/violations/:id/evidence/:sha256'],
    ['HEAD', '/api/v1/cameras', '/api/v1/cameras'],
    ['GET', '/api/v1/audit/verify', '/api/v1/audit/verify'],
    ['GET', '/open311/v2/requests/1.json', '/open311/v2/*'],
    ['POST', '/open311/v2/requests.json', '/open311/v2/*'],
    ['GET', '/api/v1/review/daily.pdf', '/api/v1/review/daily.pdf'],
    ['GET', '/api/v1/violations/export.zip', '/api/v1/violations/export.zip'],
    ['POST', '/api/v1/violations/v-1/actions', '/api/v1/violations/:id/actions'],
    ['GET', '/metrics', '/metrics'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(ruleFor(method, path)?.path).toBe(expected);
  });

  it.each([
    ['POST', '/api/v1/violations'],
    ['GET', '/api/v1/violations/a/b'],
    ['GET', '/api/v1/violationsX'],
    ['DELETE', '/api/v1/cameras'],
    ['GET', '/api/v1/review/dailyXpdf'],
  ])('%s %s has no rule', (method, path) => {
    expect(ruleFor(method, path)).toBeUndefined();
  });

  it('has one rule per method and path', () => {
    const keys = ROUTE_RULES.map((rule) => `${rule.method} ${rule.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('sameOrigin', () => {
  const own = ['http://ioc.local:8080'];
  it.each([
    [{ origin: 'http://ioc.local:8080' }, true],
    [{ origin: 'http://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{}, true],
  ])('%j → %s', (headers, expected) => {
    expect(sameOrigin(headers, own)).toBe(expected);
  });
});
