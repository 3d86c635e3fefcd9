import { describe, expect, it } from 'vitest';
import { parseWith } from './validation';
import { PLATE_SEARCH_MAX_RANGE_DAYS, plateSearchKey, plateSearchQuerySchema, plateTraceQuerySchema } from './plates';

describe('plateSearchKey: any common writing of a plate is one search key', () => {
  it.each([
    { typed: '30E-558.78', key: '30E55878' },
    { typed: '30e-558.78', key: '30E55878' },
    { typed: '30E55878', key: '30E55878' },
    { typed: ' 30 E 558 78 ', key: '30E55878' },
    { typed: '29-B1 256.62', key: '29B125662' },
    { typed: '29b1-25662', key: '29B125662' },
    { typed: '51LĐ-123.45', key: '51LD12345' },
    { typed: '51lđ 123_45', key: '51LD12345' },
    { typed: '—', key: '' },
  ])('$typed → $key', ({ typed, key }) => {
    expect(plateSearchKey(typed)).toBe(key);
  });
});

describe('plate search query', () => {
  const to = '2026-11-24T12:00:00.000Z';
  it.each([
    { query: { plate: '30e-558.78', to }, plate: '30E55878', mode: 'exact', from: '2026-11-17T12:00:00.000Z' },
    { query: { plate: '29 B1 256 62', mode: 'fuzzy', from: '2026-11-01T00:00:00+07:00', to }, plate: '29B125662', mode: 'fuzzy', from: '2026-10-31T17:00:00.000Z' },
  ])('accepts $query.plate', ({ query, plate, mode, from }) => {
    const parsed = parseWith(plateSearchQuerySchema, query, 'query');
    expect(parsed.ok && parsed.value).toMatchObject({ plate, mode, from, to, limit: 100 });
  });

  it.each([
    { name: 'no plate', query: { to }, path: 'plate' },
    { name: 'too short', query: { plate: '30E', to }, path: 'plate' },
    { name: 'too long', query: { plate: '30E-558.78-12345', to }, path: 'plate' },
    { name: 'letters only', query: { plate: 'ABCDEF', to }, path: 'plate' },
    { name: 'unknown mode', query: { plate: '30E55878', mode: 'sound', to }, path: 'mode' },
    { name: 'from after to', query: { plate: '30E55878', from: to, to: '2026-11-01T00:00:00Z' }, path: 'to' },
    { name: `more than ${PLATE_SEARCH_MAX_RANGE_DAYS} days`, query: { plate: '30E55878', from: '2026-10-01T00:00:00Z', to }, path: 'from' },
    { name: 'not a time', query: { plate: '30E55878', from: 'yesterday', to }, path: 'from' },
    { name: 'unknown key', query: { plate: '30E55878', owner: 'x', to }, path: '(root)' },
    { name: 'limit out of range', query: { plate: '30E55878', limit: '5000', to }, path: 'limit' },
  ])('refuses $name', ({ query, path }) => {
    const parsed = parseWith(plateSearchQuerySchema, query, 'query');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('IOC_ERR_VALIDATION');
      expect(parsed.error.issues[0]?.path ?? '').toBe(path);
    }
  });

  it('the trace takes the same plate and range rules', () => {
    expect(parseWith(plateTraceQuerySchema, { plate: '30E-558.78', to }, 'query').ok).toBe(true);
    expect(parseWith(plateTraceQuerySchema, { plate: '30', to }, 'query').ok).toBe(false);
  });
});
