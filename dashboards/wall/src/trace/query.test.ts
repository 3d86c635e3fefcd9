import { describe, expect, it } from 'vitest';
import { arrowAngleDegrees, initialForm, traceQueryOf, type TraceForm } from './query';

const form = (overrides: Partial<TraceForm>): TraceForm => ({ plate: '30E-558.78', mode: 'exact', fromText: '20/11/2026 08:00', toText: '20/11/2026 10:00', ...overrides });

describe('traceQueryOf', () => {
  it.each([
    { plate: '30E55878', key: '30E55878' },
    { plate: '30e-558.78', key: '30E55878' },
    { plate: ' 30E 558 78 ', key: '30E55878' },
    { plate: '29-B1 256.62', key: '29B125662' },
  ])('$plate searches $key', ({ plate, key }) => {
    const result = traceQueryOf(form({ plate }));
    expect(result.ok && result.query.get('plate')).toBe(key);
    // Vietnam time (UTC+7) to UTC; the end minute counts whole.
    expect(result.ok && result.query.get('from')).toBe('2026-11-20T01:00:00.000Z');
    expect(result.ok && result.query.get('to')).toBe('2026-11-20T03:00:59.999Z');
  });

  it.each([
    { overrides: { plate: '30E' }, problem: 'plateShort' },
    { overrides: { plate: '30E-558.78-9999' }, problem: 'plateLong' },
    { overrides: { plate: 'ABCDE' }, problem: 'plateNoDigit' },
    { overrides: { fromText: '2026-11-20' }, problem: 'fromUnreadable' },
    { overrides: { toText: '31/02/2026 10:00' }, problem: 'toUnreadable' },
    { overrides: { fromText: '21/11/2026 08:00' }, problem: 'rangeOrder' },
    { overrides: { fromText: '01/10/2026 08:00' }, problem: 'rangeTooLong' },
  ])('refuses $problem', ({ overrides, problem }) => {
    expect(traceQueryOf(form(overrides))).toEqual({ ok: false, problem });
  });
});

describe('initialForm', () => {
  it('takes the plate, mode and range from the URL', () => {
    expect(initialForm('?plate=30E-558.78&mode=fuzzy&from=2026-11-20T01:00:00Z&to=2026-11-20T03:00:00Z', 0)).toEqual({ plate: '30E-558.78', mode: 'fuzzy', fromText: '20/11/2026 08:00', toText: '20/11/2026 10:00' });
  });
  it('defaults to an exact search over the last seven days', () => {
    expect(initialForm('', Date.parse('2026-11-24T03:00:00Z'))).toEqual({ plate: '', mode: 'exact', fromText: '17/11/2026 10:00', toText: '24/11/2026 10:00' });
  });
});

describe('arrowAngleDegrees', () => {
  it.each([
    { from: [105.8, 21] as const, to: [105.9, 21] as const, angle: 0 },
    { from: [105.8, 21] as const, to: [105.8, 21.1] as const, angle: 90 },
    { from: [105.9, 21] as const, to: [105.8, 21] as const, angle: 180 },
  ])('$from → $to points $angle°', ({ from, to, angle }) => {
    expect(arrowAngleDegrees(from, to)).toBeCloseTo(angle, 6);
  });
});
