import { describe, expect, it } from 'vitest';
import type { Alert } from '@ioc/schemas';
import { feedFailed, feedReceived, feedStatus, initialFeed, panelStatus } from './feeds';
import { hourStart, hourlyByDay, initialTally, parseCameras, recordCameraSample, vietnamDayStart, type CameraInfo } from './traffic';
import { decayWeight, initialViolationLog, recordViolations, violationCells } from './violations';

const T0 = Date.UTC(2026, 10, 24, 3, 30); // 10:30 in Vietnam

describe('panelStatus', () => {
  const cases = [
    { name: 'fresh data', input: { hasData: true, lastDataAtMs: T0 - 1000 }, expected: 'data' },
    { name: 'old data', input: { hasData: true, lastDataAtMs: T0 - 60_000 }, expected: 'stale' },
    { name: 'endpoint absent', input: { hasData: false, lastDataAtMs: undefined, absent: true }, expected: 'empty' },
    { name: 'endpoint fails', input: { hasData: false, lastDataAtMs: undefined, failed: true }, expected: 'error' },
    { name: 'not asked yet', input: { hasData: false, lastDataAtMs: undefined, attempted: false }, expected: 'loading' },
    { name: 'answered, nothing in it', input: { hasData: false, lastDataAtMs: T0 }, expected: 'empty' },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(panelStatus(input, T0, 30_000)).toBe(expected);
  });

  it('feeds: 404 is absent, a later failure keeps the data and ages it', () => {
    let feed = initialFeed<number[]>();
    expect(feedStatus(feed, (data) => data.length > 0, T0, 30_000)).toBe('loading');
    feed = feedFailed(feed, { httpStatus: 404, message: 'HTTP 404' }, T0);
    expect(feedStatus(feed, (data) => data.length > 0, T0, 30_000)).toBe('empty');
    feed = feedReceived(feed, [1], T0);
    feed = feedFailed(feed, { httpStatus: 500, message: 'HTTP 500' }, T0 + 40_000);
    expect(feed.absent).toBe(false);
    expect(feedStatus(feed, (data) => data.length > 0, T0 + 40_000, 30_000)).toBe('stale');
  });
});

describe('traffic tally', () => {
  const camera = (id: string, totals: Record<string, number>): CameraInfo => ({ id, name: id, state: 'online', position: [106.69, 10.78], districtCode: undefined, lastFrameAtMs: T0, totals });

  it('parses the camera list, summing lines and directions', () => {
    const cameras = parseCameras({
      cameras: [
        { id: 'c1', name: 'Ngã sáu', state: 'online', location: { type: 'Point', coordinates: [106.69, 10.78] }, counts: { 'line-1': { car: { forward: 3, backward: 1 } }, 'line-2': { car: { forward: 2, backward: 0 }, motorcycle: { forward: 7, backward: 0 } } } },
        { id: 'c2', state: 'weird' },
        { name: 'no id' },
      ],
    });
    expect(cameras).toEqual([
      { id: 'c1', name: 'Ngã sáu', state: 'online', position: [106.69, 10.78], districtCode: undefined, lastFrameAtMs: undefined, totals: { car: 6, motorcycle: 7 } },
      { id: 'c2', name: 'c2', state: 'offline', position: undefined, districtCode: undefined, lastFrameAtMs: undefined, totals: {} },
    ]);
    expect(parseCameras({ error: 'x' })).toEqual([]);
  });

  const cases = [
    { name: 'first sample is a baseline only', samples: [{ atMs: T0, totals: { car: 100 } }], hourly: {}, mix: {} },
    { name: 'increases are booked to the hour seen', samples: [{ atMs: T0, totals: { car: 100 } }, { atMs: T0 + 60_000, totals: { car: 104, motorcycle: 10 } }], hourly: { [hourStart(T0)]: 14 }, mix: { car: 4, motorcycle: 10 } },
    { name: 'a restart (total went down) counts the new total', samples: [{ atMs: T0, totals: { car: 100 } }, { atMs: T0 + 60_000, totals: { car: 5 } }], hourly: { [hourStart(T0)]: 5 }, mix: { car: 5 } },
    {
      name: 'next hour',
      samples: [{ atMs: T0, totals: { car: 1 } }, { atMs: T0 + 60_000, totals: { car: 2 } }, { atMs: T0 + 3_600_000, totals: { car: 5 } }],
      hourly: { [hourStart(T0)]: 1, [hourStart(T0) + 3_600_000]: 3 },
      mix: { car: 4 },
    },
  ];
  it.each(cases)('$name', ({ samples, hourly, mix }) => {
    let tally = initialTally();
    for (const sample of samples as Array<{ atMs: number; totals: Record<string, number> }>) tally = recordCameraSample(tally, [camera('c1', sample.totals)], sample.atMs);
    expect(tally.hourly).toEqual(hourly);
    expect(tally.mix).toEqual(mix);
  });

  it('splits hours into today and yesterday (Vietnam days), dropping older ones', () => {
    expect(new Date(vietnamDayStart(T0)).toISOString()).toBe('2026-11-23T17:00:00.000Z');
    let tally = initialTally();
    tally = recordCameraSample(tally, [camera('c1', { car: 0 })], T0 - 86_400_000 * 2);
    tally = recordCameraSample(tally, [camera('c1', { car: 7 })], T0 - 86_400_000 * 2 + 1000);
    tally = recordCameraSample(tally, [camera('c1', { car: 9 })], T0 - 86_400_000);
    tally = recordCameraSample(tally, [camera('c1', { car: 12 })], T0);
    const days = hourlyByDay(tally, T0);
    expect(days.today[10]).toBe(3);
    expect(days.yesterday[10]).toBe(2);
    expect(Object.keys(tally.hourly)).toHaveLength(2);
  });
});

describe('violations', () => {
  const alert = (id: string, subCategory: Alert['subCategory'], extra: Partial<Alert> = {}): Alert => ({
    id,
    type: 'Alert',
    category: 'traffic',
    subCategory,
    severity: 'medium',
    dateIssued: new Date(T0).toISOString(),
    location: { type: 'Point', coordinates: [106.69, 10.78] },
    ...extra,
  });

  it('records traffic violations only, counting by rule and district, capping points', () => {
    let log = initialViolationLog(T0);
    log = recordViolations(log, [alert('a', 'redLightViolation', { districtCode: '760' }), alert('b', 'speeding'), alert('c', 'flood', { category: 'weather' }), alert('d', 'trafficJam')], T0, 2);
    log = recordViolations(log, [alert('e', 'redLightViolation')], T0, 2);
    expect(log.byRule).toEqual({ redLightViolation: 2, speeding: 1 });
    expect(log.byDistrict).toEqual({ '760': 1 });
    expect(log.points.map((point) => point.rule)).toEqual(['speeding', 'redLightViolation']);
  });

  it('starts counting over at Vietnam midnight', () => {
    let log = recordViolations(initialViolationLog(T0), [alert('a', 'speeding')], T0);
    log = recordViolations(log, [], T0 + 86_400_000);
    expect(log.byRule).toEqual({});
    expect(log.points).toHaveLength(1);
  });

  const decay = [
    { ageMs: 0, expected: 1 },
    { ageMs: 600_000, expected: 0.5 },
    { ageMs: 1_200_000, expected: 0.25 },
    { ageMs: 6_000_000, expected: 0 },
  ];
  it.each(decay)('decay at $ageMs ms', ({ ageMs, expected }) => {
    expect(decayWeight(ageMs, 600_000)).toBeCloseTo(expected);
  });
});

describe('violationCells', () => {
  const point = (lng: number, lat: number, ageMs: number) => ({ position: [lng, lat] as [number, number], atMs: T0 - ageMs, rule: 'speeding' });
  it('sums decayed weights per cell and drops fully decayed points', () => {
    const cells = violationCells([point(0.05, 0.05, 0), point(0.07, 0.02, 600_000), point(0.15, 0.05, 0), point(0.01, 0.01, 60 * 600_000)], T0, 600_000, 0.1);
    expect(cells).toEqual([
      { position: [0.05, 0.05], weight: 1.5, count: 2 },
      { position: [0.15000000000000002, 0.05], weight: 1, count: 1 },
    ]);
  });
});
