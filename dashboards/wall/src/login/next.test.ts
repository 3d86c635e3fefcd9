import { describe, expect, it } from 'vitest';
import { safeNext } from './next';

describe('safeNext', () => {
  it.each([
    ['/leader?date=2026-01-02', 'operator', '/leader?date=2026-01-02'],
    ['/', 'leader', '/'],
    [null, 'leader', '/leader'],
    [undefined, 'operator', '/operator'],
    ['', 'admin', '/'],
    ['//evil.example/x', 'admin', '/'],
    ['https://evil.example/', 'operator', '/operator'],
    ['/\\evil.example', 'admin', '/'],
    ['/ok\\..', 'admin', '/'],
    ['/x\nSet-Cookie: a', 'admin', '/'],
    ['javascript:alert(1)', 'leader', '/leader'],
    ['/login?next=/leader', 'leader', '/leader'],
    [`/${'a'.repeat(2100)}`, 'police', '/police'],
  ] as const)('next %j for %s → %s', (next, role, expected) => {
    expect(safeNext(next, role)).toBe(expected);
  });
});
