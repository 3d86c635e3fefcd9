import { describe, expect, it } from 'vitest';
import type { BusMessage, Device, Site, StoredReading } from '@ioc/schemas';
import { LiveHub } from './live-hub';

const site: Site = { name: 'Test', center: [103, 21.4], zoom: 10, districts: [] };
const device = (id: string): Device => ({
  id,
  type: 'Device',
  name: id,
  category: 'sensor',
  controlledProperty: ['pm25'],
  location: { type: 'Point', coordinates: [103, 21.4] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
});
const reading = (deviceId: string, observedAtMs: number, value: number): StoredReading => ({ deviceId, property: 'pm25', value, observedAtMs });
const readings = (...rows: StoredReading[]): BusMessage => ({ kind: 'readings', readings: rows });

function makeHub(nowMs = 10_000_000, replayBufferEvents = 100): LiveHub {
  const hub = new LiveHub(site, { historyMinutes: 60, replayBufferEvents, nowMs: () => nowMs, epoch: 'e1' });
  hub.load([device('a'), device('b')], [], []);
  return hub;
}

describe('LiveHub', () => {
  it('numbers events in order and names the last one in the snapshot', () => {
    const hub = makeHub();
    expect(hub.lastEventId).toBe('e1:0');
    hub.receive(readings(reading('a', 9_000_000, 10)));
    hub.receive(readings(reading('b', 9_000_000, 20)));
    const snapshot = hub.snapshot();
    expect(snapshot.lastEventId).toBe('e1:2');
    expect(snapshot.devices.find((live) => live.device.id === 'a')?.latest.pm25?.value).toBe(10);
  });

  it.each([
    { name: 'newer reading wins', first: [9_000_000, 10], second: [9_100_000, 11], expected: 11 },
    { name: 'late reading does not overwrite the latest', first: [9_100_000, 11], second: [9_000_000, 10], expected: 11 },
    { name: 'same time replayed keeps one value', first: [9_000_000, 10], second: [9_000_000, 10], expected: 10 },
  ])('latest value: $name', ({ first, second, expected }) => {
    const hub = makeHub();
    hub.receive(readings(reading('a', first[0] as number, first[1] as number)));
    hub.receive(readings(reading('a', second[0] as number, second[1] as number)));
    expect(hub.snapshot().devices.find((live) => live.device.id === 'a')?.latest.pm25?.value).toBe(expected);
  });

  it('turns camera health and counts into numbered events; health moves the camera Device', () => {
    const hub = makeHub();
    const health = { cameraId: 'a', state: 'offline', deviceState: 'offline', analysisFps: 5, analysedFps: 0, inferenceMs: 0, framesAnalysed: 3, framesSkipped: 0, reconnects: 1, lastFrameAtMs: 9_500_000, reportedAtMs: 9_600_000 } as const;
    const counts = { cameraId: 'a', fromMs: 9_000_000, toMs: 9_001_000, delta: { l: { car: { forward: 1, backward: 0 } } }, totals: { l: { car: { forward: 4, backward: 0 } } } };
    expect(hub.receive({ kind: 'cameraHealth', health })).toMatchObject({ id: 'e1:1', type: 'camera.health', health });
    expect(hub.receive({ kind: 'cameraCounts', counts })).toMatchObject({ id: 'e1:2', type: 'camera.counts', counts });
    const camera = hub.snapshot().devices.find((live) => live.device.id === 'a')?.device;
    expect(camera).toMatchObject({ deviceState: 'offline', dateLastValueReported: new Date(9_500_000).toISOString() });
    const replay = hub.eventsAfter('e1:0');
    expect(replay.ok && replay.events.map((event) => event.type)).toEqual(['camera.health', 'camera.counts']);
  });

  it('keeps history ordered, without duplicates, and within the window', () => {
    const nowMs = 10_000_000;
    const hub = makeHub(nowMs);
    hub.receive(readings(reading('a', nowMs - 61 * 60_000, 1))); // older than the 60-minute window
    hub.receive(readings(reading('a', nowMs - 10_000, 3)));
    hub.receive(readings(reading('a', nowMs - 20_000, 2))); // late
    hub.receive(readings(reading('a', nowMs - 10_000, 3))); // replayed
    expect(hub.snapshot().history.a?.pm25).toEqual([
      [nowMs - 20_000, 2],
      [nowMs - 10_000, 3],
    ]);
  });

  it.each([
    { name: 'from the start', after: 'e1:0', expected: ['e1:1', 'e1:2', 'e1:3'] },
    { name: 'from the middle', after: 'e1:1', expected: ['e1:2', 'e1:3'] },
    { name: 'up to date', after: 'e1:3', expected: [] },
  ])('replays the events after an id: $name', ({ after, expected }) => {
    const hub = makeHub();
    for (let index = 0; index < 3; index += 1) hub.receive(readings(reading('a', 9_000_000 + index, index)));
    const replay = hub.eventsAfter(after);
    expect(replay.ok && replay.events.map((event) => event.id)).toEqual(expected);
  });

  it.each([
    { name: 'another epoch', after: 'e0:2', reason: 'unknownEpoch' },
    { name: 'an id from the future', after: 'e1:99', reason: 'unknownEpoch' },
    { name: 'garbage', after: 'not-an-id', reason: 'unknownEpoch' },
    { name: 'older than the buffer', after: 'e1:1', reason: 'tooFarBehind' },
  ])('asks for a resync after $name', ({ after, reason }) => {
    const hub = makeHub(10_000_000, 10);
    for (let index = 0; index < 25; index += 1) hub.receive(readings(reading('a', 9_000_000 + index, index)));
    expect(hub.eventsAfter(after)).toEqual({ ok: false, reason });
  });

  it('serves any id still inside the buffer after compaction', () => {
    const hub = makeHub(10_000_000, 10);
    for (let index = 0; index < 25; index += 1) hub.receive(readings(reading('a', 9_000_000 + index, index)));
    const replay = hub.eventsAfter('e1:20');
    expect(replay.ok && replay.events.map((event) => event.id)).toEqual(['e1:21', 'e1:22', 'e1:23', 'e1:24', 'e1:25']);
  });

  it('applies device state changes to the snapshot', () => {
    const hub = makeHub();
    hub.receive({ kind: 'deviceState', change: { deviceId: 'b', deviceState: 'offline', changedAtMs: 9_000_000 } });
    expect(hub.snapshot().devices.find((live) => live.device.id === 'b')?.device.deviceState).toBe('offline');
  });
});
