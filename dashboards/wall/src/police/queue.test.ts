import { describe, expect, it } from 'vitest';
import type { ViolationRecord } from '@ioc/schemas';
import { EMPTY_POLICE_FILTERS, exportParams, filterParams, matchesFilters, percent, sortQueue, traceHref, upsert, vietnamDayStart } from './queue';

const record = (id: string, status: ViolationRecord['status'], occurredAt: string, patch: Partial<ViolationRecord> = {}): ViolationRecord => ({
  id,
  cameraId: 'cam-1',
  rule: 'redLightViolation',
  ruleId: 'stop-1',
  trackId: 1,
  vehicleClass: 'motorcycle',
  severity: 'medium',
  occurredAt,
  decidedAt: occurredAt,
  recordedAt: occurredAt,
  confidence: 0.8,
  location: null,
  districtCode: '001',
  box: [0, 0, 1, 1],
  speedKmh: null,
  advisory: null,
  plateText: null,
  plateConfidence: null,
  evidence: [],
  status,
  ...patch,
});

describe('vietnamDayStart', () => {
  it.each([
    ['2026-11-24', 0, '2026-11-23T17:00:00.000Z'],
    ['2026-11-24', 1, '2026-11-24T17:00:00.000Z'],
    ['2026-12-31', 1, '2026-12-31T17:00:00.000Z'],
    ['24/11/2026', 0, undefined],
    ['', 0, undefined],
  ])('%s +%d → %s', (date, plus, expected) => expect(vietnamDayStart(date, plus)).toBe(expected));
});

describe('filters', () => {
  it('turns the form into query parameters, `to` the day after', () => {
    expect(filterParams({ rule: 'speeding', cameraId: ' cam-2 ', status: 'new', fromDate: '2026-11-24', toDate: '2026-11-24' }).toString()).toBe(
      'rule=speeding&cameraId=cam-2&status=new&from=2026-11-23T17%3A00%3A00.000Z&to=2026-11-24T17%3A00%3A00.000Z',
    );
    expect(filterParams(EMPTY_POLICE_FILTERS).toString()).toBe('');
  });
  it.each([
    ['new', ''],
    ['rejected', ''],
    ['confirmed', 'status=confirmed'],
    ['dispatched', 'status=dispatched'],
  ] as const)('export with status %s keeps %j', (status, expected) => expect(exportParams({ ...EMPTY_POLICE_FILTERS, status }).toString()).toBe(expected));
  it.each([
    [{}, true],
    [{ rule: 'speeding' }, false],
    [{ cameraId: 'cam-1' }, true],
    [{ cameraId: 'cam-9' }, false],
    [{ status: 'confirmed' }, false],
    [{ fromDate: '2026-11-24' }, true],
    [{ fromDate: '2026-11-25' }, false],
    [{ toDate: '2026-11-23' }, false],
    [{ toDate: '2026-11-24' }, true],
  ] as const)('a live case at 2026-11-24 08:00 Vietnam time with %j matches: %s', (patch, expected) => {
    expect(matchesFilters(record('a', 'new', '2026-11-24T01:00:00.000Z'), { ...EMPTY_POLICE_FILTERS, ...patch })).toBe(expected);
  });
});

describe('queue order', () => {
  it('puts unconfirmed first, newest first within a status', () => {
    const sorted = sortQueue([
      record('old-new', 'new', '2026-11-24T01:00:00Z'),
      record('confirmed', 'confirmed', '2026-11-24T05:00:00Z'),
      record('rejected', 'rejected', '2026-11-24T06:00:00Z'),
      record('newest-new', 'new', '2026-11-24T03:00:00Z'),
      record('dispatched', 'dispatched', '2026-11-24T07:00:00Z'),
    ]);
    expect(sorted.map((item) => item.id)).toEqual(['newest-new', 'old-new', 'confirmed', 'dispatched', 'rejected']);
  });
  it('upserts a pushed case', () => {
    const list = [record('a', 'new', '2026-11-24T01:00:00Z')];
    expect(upsert(list, record('b', 'new', '2026-11-24T02:00:00Z')).map((item) => item.id)).toEqual(['b', 'a']);
    expect(upsert(list, record('a', 'confirmed', '2026-11-24T01:00:00Z'))[0]?.status).toBe('confirmed');
  });
  it.each([
    [0.873, '87%'],
    [null, '—'],
    [1, '100%'],
  ])('percent(%s) = %s', (value, expected) => expect(percent(value)).toBe(expected));
});

describe('traceHref', () => {
  it.each([
    { plate: '30E-558.78', at: '2026-10-02T03:00:00.000Z', expected: '/trace?plate=30E-558.78&from=2026-09-29T03%3A00%3A00.000Z&to=2026-10-05T03%3A00%3A00.000Z' },
    { plate: '29-B1 256.62', at: 'not a time', expected: '/trace?plate=29-B1+256.62' },
  ])('$plate at $at', ({ plate, at, expected }) => {
    expect(traceHref(plate, at)).toBe(expected);
  });
});
