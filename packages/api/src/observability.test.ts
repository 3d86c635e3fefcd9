import { describe, expect, it } from 'vitest';
import { errorCodeOf, routePatternOf } from './observability';

describe('errorCodeOf', () => {
  it.each([
    { name: 'our coded error', body: { error: { code: 'IOC_ERR_BAD_QUERY', message: 'x' } }, expected: 'IOC_ERR_BAD_QUERY' },
    { name: 'GeoReport error list', body: [{ code: 400, description: 'service_code missing' }], expected: 'OPEN311_400' },
    { name: 'a code with request text in it is not a label', body: { error: { code: 'drop table; --' } }, expected: undefined },
    { name: 'no error', body: { ok: true }, expected: undefined },
    { name: 'empty list', body: [], expected: undefined },
    { name: 'null', body: null, expected: undefined },
  ])('$name', ({ body, expected }) => {
    expect(errorCodeOf(body)).toBe(expected);
  });
});

describe('routePatternOf', () => {
  it.each([
    { name: 'matched route', request: { baseUrl: '', route: { path: '/api/v1/violations/:id' }, path: '/api/v1/violations/abc', method: 'GET' }, expected: '/api/v1/violations/:id' },
    { name: 'mounted router', request: { baseUrl: '/open311/v2', route: { path: '/requests/:id' }, path: '/requests/7', method: 'GET' }, expected: '/open311/v2/requests/:id' },
    { name: 'unmatched api path keeps no id', request: { path: '/api/v1/nothing/12345', method: 'GET' }, expected: 'unmatched:/api' },
    { name: 'assets', request: { path: '/assets/index-abc.js', method: 'GET' }, expected: 'static:/assets' },
    { name: 'pages', request: { path: '/leader', method: 'GET' }, expected: 'page-or-static' },
  ])('$name', ({ request, expected }) => {
    expect(routePatternOf(request)).toBe(expected);
  });
});
