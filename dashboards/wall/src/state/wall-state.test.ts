import { describe, expect, it } from 'vitest';
import type { LiveEvent, WallDeltaBatch, WallSnapshot } from '@ioc/schemas';
import {
  MAX_POINTS_PER_SERIES,
  applyDeltaBatch,
  applySnapshot,
  deviceReading,
  initialWallState,
  insertPoint,
  isStale,
  markConnection,
  requestResync,
  seriesOf,
  type Point,
  type WallState,
} from './wall-state';

const T0 = Date.UTC(2026, 10, 24, 1, 0, 0);

function snapshot(overrides: Partial<WallSnapshot> = {}): WallSnapshot {
  return {
    id: 'ep1:10',
    type: 'wall.snapshot',
    time: new Date(T0).toISOString(),
    schemaVersion: 1,
    lastEventId: 'ep1:10',
    site: { name: 'Điện Biên', center: [103.02, 21.39], zoom: 11, districts: [] },
    devices: [
      {
        device: { id: 'aq-1', type: 'Device', name: 'Trạm 1', category: 'sensor', controlledProperty: ['pm25'], location: { type: 'Point', coordinates: [103, 21.4] }, deviceState: 'ok', reportIntervalSeconds: 60 },
        latest: { pm25: { value: 20, observedAtMs: T0 } },
      },
      {
        device: { id: 'aq-2', type: 'Device', name: 'Trạm 2', category: 'sensor', controlledProperty: ['pm25', 'noiseLAeq'], location: { type: 'Point', coordinates: [103.1, 21.4] }, deviceState: 'ok', reportIntervalSeconds: 60 },
        latest: {},
      },
    ],
    history: { 'aq-1': { pm25: [[T0 - 60_000, 18], [T0, 20]] } },
    historyMinutes: 30,
    ...overrides,
  };
}

function readings(id: string, items: Array<[deviceId: string, value: number, observedAtMs: number]>): LiveEvent {
  return {
    id,
    time: new Date(T0).toISOString(),
    schemaVersion: 1,
    type: 'sensor.readings',
    readings: items.map(([deviceId, value, observedAtMs]) => ({ deviceId, property: 'pm25', value, observedAtMs })),
  };
}

function batch(afterEventId: string, events: LiveEvent[]): WallDeltaBatch {
  const last = events[events.length - 1];
  return { id: last ? last.id : afterEventId, type: 'wall.deltas', time: new Date(T0).toISOString(), schemaVersion: 1, afterEventId, events };
}

function loaded(): WallState {
  return applySnapshot(initialWallState(T0), snapshot(), T0);
}

describe('applySnapshot', () => {
  it('takes devices, history, cursor and window from the snapshot', () => {
    const state = loaded();
    expect(state.lastEventId).toBe('ep1:10');
    expect(state.epoch).toBe('ep1');
    expect(state.sequence).toBe(10);
    expect(state.deviceIds).toEqual(['aq-1', 'aq-2']);
    expect(state.historyMinutes).toBe(30);
    expect(seriesOf(state, 'aq-1', 'pm25')).toEqual([[T0 - 60_000, 18], [T0, 20]]);
    expect(state.needsResync).toBeUndefined();
  });

  it('clears a pending resync and keeps the connection status', () => {
    let state = markConnection(loaded(), 'live', T0);
    state = requestResync(state, 'server');
    state = applySnapshot(state, snapshot({ lastEventId: 'ep2:3', id: 'ep2:3' }), T0 + 1);
    expect(state.needsResync).toBeUndefined();
    expect(state.epoch).toBe('ep2');
    expect(state.status).toBe('live');
  });

  it('does not mutate its input', () => {
    const input = snapshot();
    const before = JSON.stringify(input);
    applySnapshot(initialWallState(T0), input, T0);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('applyDeltaBatch', () => {
  const cases: Array<{
    name: string;
    batches: WallDeltaBatch[];
    lastEventId: string;
    latest: number | undefined;
    points: number;
    needsResync: WallState['needsResync'];
  }> = [
    { name: 'heartbeat changes nothing', batches: [batch('ep1:10', [])], lastEventId: 'ep1:10', latest: 20, points: 2, needsResync: undefined },
    { name: 'contiguous batch applies', batches: [batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]])])], lastEventId: 'ep1:11', latest: 30, points: 3, needsResync: undefined },
    {
      name: 'events at or before the cursor are skipped (no double counting)',
      batches: [batch('ep1:9', [readings('ep1:10', [['aq-1', 99, T0 + 500]]), readings('ep1:11', [['aq-1', 30, T0 + 1000]])])],
      lastEventId: 'ep1:11',
      latest: 30,
      points: 3,
      needsResync: undefined,
    },
    {
      name: 'the same batch twice counts once',
      batches: [batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]])]), batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]])])],
      lastEventId: 'ep1:11',
      latest: 30,
      points: 3,
      needsResync: undefined,
    },
    { name: 'a batch after a gap flags a resync', batches: [batch('ep1:12', [readings('ep1:13', [['aq-1', 30, T0 + 1000]])])], lastEventId: 'ep1:10', latest: 20, points: 2, needsResync: 'gap' },
    {
      name: 'a gap inside a batch applies what came before it',
      batches: [batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]]), readings('ep1:13', [['aq-1', 40, T0 + 2000]])])],
      lastEventId: 'ep1:11',
      latest: 30,
      points: 3,
      needsResync: 'gap',
    },
    { name: 'another epoch flags a resync', batches: [batch('ep2:0', [readings('ep2:1', [['aq-1', 30, T0 + 1000]])])], lastEventId: 'ep1:10', latest: 20, points: 2, needsResync: 'epoch' },
    {
      name: 'after a resync flag, later batches are ignored',
      batches: [batch('ep1:12', []), batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]])])],
      lastEventId: 'ep1:10',
      latest: 20,
      points: 2,
      needsResync: 'gap',
    },
    {
      name: 'a late reading joins the history but leaves the latest value',
      batches: [batch('ep1:10', [readings('ep1:11', [['aq-1', 5, T0 - 30_000]])])],
      lastEventId: 'ep1:11',
      latest: 20,
      points: 3,
      needsResync: undefined,
    },
    {
      name: 'a reading with an existing timestamp replaces the point',
      batches: [batch('ep1:10', [readings('ep1:11', [['aq-1', 21, T0]])])],
      lastEventId: 'ep1:11',
      latest: 21,
      points: 2,
      needsResync: undefined,
    },
  ];

  it.each(cases)('$name', ({ batches, lastEventId, latest, points, needsResync }) => {
    let state = loaded();
    for (const item of batches) state = applyDeltaBatch(state, item, T0 + 5000);
    expect(state.lastEventId).toBe(lastEventId);
    expect(state.devices['aq-1']?.latest.pm25?.value).toBe(latest);
    expect(seriesOf(state, 'aq-1', 'pm25')).toHaveLength(points);
    expect(state.needsResync).toBe(needsResync);
  });

  it('records when anything, even a heartbeat, arrived', () => {
    const state = applyDeltaBatch(loaded(), batch('ep1:10', []), T0 + 7000);
    expect(state.lastMessageAtMs).toBe(T0 + 7000);
  });

  it('drops a gapped batch without a resync while the server repositions the socket', () => {
    const state = applyDeltaBatch(loaded(), batch('ep1:12', [readings('ep1:13', [['aq-1', 30, T0 + 1000]])]), T0, { dropGaps: true });
    expect(state.needsResync).toBeUndefined();
    expect(state.lastEventId).toBe('ep1:10');
  });

  it('marks an unknown device without breaking the stream', () => {
    const state = applyDeltaBatch(loaded(), batch('ep1:10', [readings('ep1:11', [['new-1', 30, T0], ['aq-1', 31, T0 + 1000]])]), T0);
    expect(state.unknownDeviceSeen).toBe(true);
    expect(state.needsResync).toBeUndefined();
    expect(state.devices['aq-1']?.latest.pm25?.value).toBe(31);
    expect(state.history['new-1']).toBeUndefined();
  });

  it('applies device state changes and keeps the latest alerts', () => {
    let state = loaded();
    state = applyDeltaBatch(
      state,
      batch('ep1:10', [
        { id: 'ep1:11', time: '', schemaVersion: 1, type: 'device.state', change: { deviceId: 'aq-2', deviceState: 'offline', changedAtMs: T0 } },
        { id: 'ep1:12', time: '', schemaVersion: 1, type: 'alert.raised', alert: { id: 'al-1', type: 'Alert', category: 'environment', subCategory: 'airPollution', severity: 'high', dateIssued: new Date(T0).toISOString() } },
      ]),
      T0,
    );
    expect(state.devices['aq-2']?.device.deviceState).toBe('offline');
    expect(state.alerts.map((alert) => alert.id)).toEqual(['al-1']);
  });

  it('leaves the previous state untouched', () => {
    const before = loaded();
    const frozen = JSON.stringify(before);
    applyDeltaBatch(before, batch('ep1:10', [readings('ep1:11', [['aq-1', 30, T0 + 1000]])]), T0);
    expect(JSON.stringify(before)).toBe(frozen);
  });
});

describe('insertPoint', () => {
  const window30 = 30;
  const cases: Array<{ name: string; points: Point[]; point: Point; expected: Point[] }> = [
    { name: 'appends in order', points: [[1, 1]], point: [2, 2], expected: [[1, 1], [2, 2]] },
    { name: 'inserts a late point in place', points: [[1, 1], [3, 3]], point: [2, 2], expected: [[1, 1], [2, 2], [3, 3]] },
    { name: 'replaces an equal timestamp', points: [[1, 1], [2, 2]], point: [2, 5], expected: [[1, 1], [2, 5]] },
    { name: 'inserts before everything', points: [[5, 5]], point: [1, 1], expected: [[1, 1], [5, 5]] },
    { name: 'drops points older than the window', points: [[0, 0], [29 * 60_000, 1]], point: [31 * 60_000, 2], expected: [[29 * 60_000, 1], [31 * 60_000, 2]] },
  ];
  it.each(cases)('$name', ({ points, point, expected }) => {
    expect(insertPoint(points, point, window30)).toEqual(expected);
  });

  it('caps a series at MAX_POINTS_PER_SERIES', () => {
    let points: readonly Point[] = [];
    for (let index = 0; index < MAX_POINTS_PER_SERIES + 10; index += 1) points = insertPoint(points, [index, index], 60);
    expect(points).toHaveLength(MAX_POINTS_PER_SERIES);
    expect(points[0]).toEqual([10, 10]);
  });
});

describe('markConnection and isStale', () => {
  it('records when the status changed, and only when it did', () => {
    const live = markConnection(initialWallState(T0), 'live', T0 + 100);
    expect(live.statusSinceMs).toBe(T0 + 100);
    expect(markConnection(live, 'live', T0 + 200)).toBe(live);
    expect(markConnection(live, 'reconnecting', T0 + 300)).toMatchObject({ status: 'reconnecting', statusSinceMs: T0 + 300 });
  });

  const cases = [
    { name: 'fresh message', lastMessageAgoMs: 1000, stale: false },
    { name: 'exactly at the limit', lastMessageAgoMs: 15_000, stale: false },
    { name: 'past the limit', lastMessageAgoMs: 15_001, stale: true },
  ];
  it.each(cases)('$name', ({ lastMessageAgoMs, stale }) => {
    const state = { ...loaded(), lastMessageAtMs: T0 };
    expect(isStale(state, T0 + lastMessageAgoMs, 15_000)).toBe(stale);
  });
});

describe('deviceReading', () => {
  const base = snapshot().devices[0]!;
  const cases = [
    { name: 'fresh value has its level', live: base, nowMs: T0 + 1000, level: 0, value: 20 },
    { name: 'value older than three report intervals is grey', live: base, nowMs: T0 + 181_000, level: undefined, value: 20 },
    { name: 'offline device is grey', live: { ...base, device: { ...base.device, deviceState: 'offline' as const } }, nowMs: T0, level: undefined, value: 20 },
    { name: 'no value is grey', live: { ...base, latest: {} }, nowMs: T0, level: undefined, value: undefined },
    { name: 'high value is level 4', live: { ...base, latest: { pm25: { value: 187.5, observedAtMs: T0 } } }, nowMs: T0, level: 4, value: 187.5 },
  ];
  it.each(cases)('$name', ({ live, nowMs, level, value }) => {
    const reading = deviceReading(live, 'pm25', nowMs);
    expect(reading.level).toBe(level);
    expect(reading.value).toBe(value);
  });
});
