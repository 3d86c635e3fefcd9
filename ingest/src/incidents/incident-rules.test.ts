import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Alert, BusMessage, Device, IncidentRule, StoredReading, TrafficFlowObserved } from '@ioc/schemas';
import { IncidentEngine, type IncidentAlertStore } from './incident-engine';
import {
  FLOOD_THRESHOLD_RULE,
  INITIAL_CONGESTION_STATE,
  PM25_THRESHOLD_RULE,
  cameraStateSignal,
  checkOffline,
  congestionUpdater,
  evaluateThreshold,
  summariseFlowMinutes,
  type CameraMinute,
  type DeviceInfo,
} from './incident-rules';

const T0 = Date.parse('2025-06-01T01:00:00Z');
const sensor = (id: string, reportIntervalSeconds = 60): DeviceInfo => ({ id, name: `Trạm ${id}`, category: 'sensor', location: { type: 'Point', coordinates: [103.02, 21.39] }, reportIntervalSeconds });
const camera = (id: string): DeviceInfo => ({ ...sensor(id), category: 'camera' });
const reading = (deviceId: string, property: StoredReading['property'], value: number, atMs = T0): StoredReading => ({ deviceId, property, value, observedAtMs: atMs });

describe('threshold rules', () => {
  it.each([
    { name: 'PM2.5 below the bad band', rule: PM25_THRESHOLD_RULE, value: 79.9, open: false, active: false },
    { name: 'PM2.5 at the bad band', rule: PM25_THRESHOLD_RULE, value: 80, open: false, active: true, severity: 'high' },
    { name: 'PM2.5 very bad', rule: PM25_THRESHOLD_RULE, value: 160, open: false, active: true, severity: 'critical' },
    { name: 'PM2.5 easing but above the clear level while open', rule: PM25_THRESHOLD_RULE, value: 75, open: true, active: true },
    { name: 'PM2.5 below the clear level while open', rule: PM25_THRESHOLD_RULE, value: 71, open: true, active: false },
    { name: 'water 14 cm', rule: FLOOD_THRESHOLD_RULE, value: 14, open: false, active: false },
    { name: 'water 15 cm (motorbikes stop)', rule: FLOOD_THRESHOLD_RULE, value: 15, open: false, active: true, severity: 'medium' },
    { name: 'water 35 cm', rule: FLOOD_THRESHOLD_RULE, value: 35, open: false, active: true, severity: 'high' },
    { name: 'water 60 cm', rule: FLOOD_THRESHOLD_RULE, value: 60, open: false, active: true, severity: 'critical' },
    { name: 'water receding to 11 cm while open', rule: FLOOD_THRESHOLD_RULE, value: 11, open: true, active: false },
  ])('$name', ({ rule, value, open, active, severity }) => {
    const signal = evaluateThreshold(rule, reading('s-1', rule.property, value), sensor('s-1'), open);
    expect(signal?.active).toBe(active);
    if (severity) expect(signal?.severity).toBe(severity);
  });

  it('ignores other properties', () => {
    expect(evaluateThreshold(PM25_THRESHOLD_RULE, reading('s-1', 'pm10', 500), sensor('s-1'), false)).toBeUndefined();
  });
});

describe('offline rules', () => {
  it.each([
    { name: 'reported 2 intervals ago', lastAgoS: 120, active: false },
    { name: 'reported exactly 3 intervals ago', lastAgoS: 180, active: false },
    { name: 'silent for more than 3 intervals', lastAgoS: 181, active: true },
    { name: 'never heard from, watched for 2 minutes', lastAgoS: undefined, sinceAgoS: 120, active: false },
    { name: 'never heard from, watched for 4 minutes', lastAgoS: undefined, sinceAgoS: 240, active: true },
  ])('a sensor $name', ({ lastAgoS, sinceAgoS, active }) => {
    const last = new Map(lastAgoS === undefined ? [] : [['s-1', T0 - lastAgoS * 1000] as const]);
    const [signal] = checkOffline([sensor('s-1')], last, T0, T0 - (sinceAgoS ?? 3600) * 1000);
    expect(signal).toMatchObject({ rule: 'deviceOffline', deviceId: 's-1', active });
  });

  it('leaves cameras to their own state reports', () => {
    expect(checkOffline([camera('cam-1')], new Map(), T0, T0 - 86_400_000)).toEqual([]);
  });

  it.each([
    { state: 'offline' as const, active: true },
    { state: 'ok' as const, active: false },
    { state: 'degraded' as const, active: undefined },
  ])('a camera going $state', ({ state, active }) => {
    const signal = cameraStateSignal({ deviceId: 'cam-1', deviceState: state, changedAtMs: T0 }, camera('cam-1'));
    expect(signal?.active).toBe(active);
    if (signal?.active) expect(signal).toMatchObject({ rule: 'cameraOffline', severity: 'high', subCategory: 'deviceOffline' });
  });
});

describe('congestion', () => {
  const minute = (index: number, vehicles: number, maxOccupancy?: number): CameraMinute => ({ deviceId: 'cam-1', fromMs: T0 + index * 60_000, vehicles, maxOccupancy });
  it('raises after two congested minutes in a row, once, and clears after two normal minutes', () => {
    // minute: vehicles (threshold 60) → expected signal
    const script: Array<[CameraMinute, boolean | undefined]> = [
      [minute(0, 30), undefined],
      [minute(1, 70), undefined],
      [minute(2, 20), undefined], // streak broken
      [minute(3, 65), undefined],
      [minute(4, 95), true], // second in a row: raised (high: ≥ 1.5 × 60)
      [minute(5, 80), undefined], // lasts: nothing new
      [minute(6, 10), undefined],
      [minute(7, 12), false], // second normal: cleared
      [minute(8, 12), undefined],
    ];
    let state = INITIAL_CONGESTION_STATE;
    script.forEach(([input, expected], index) => {
      const result = congestionUpdater(state, input, camera('cam-1'));
      state = result.state;
      expect(result.signal?.active, `minute ${index}`).toBe(expected);
      if (expected) expect(result.signal?.severity).toBe('high');
    });
  });

  it('counts occupancy when measured, and restarts streaks over a gap', () => {
    let result = congestionUpdater(INITIAL_CONGESTION_STATE, minute(0, 5, 0.6), undefined);
    result = congestionUpdater(result.state, minute(3, 5, 0.55), undefined); // gap of 2 minutes
    expect(result.signal).toBeUndefined();
    result = congestionUpdater(result.state, minute(4, 5, 0.5), undefined);
    expect(result.signal).toMatchObject({ active: true, severity: 'medium', subCategory: 'trafficJam' });
  });

  it('sums a camera-minute from anyVehicle rows, else from the classes', () => {
    const row = (laneId: string, vehicleType: TrafficFlowObserved['vehicleType'], intensity: number, minuteIndex = 0): TrafficFlowObserved => ({
      type: 'TrafficFlowObserved',
      refDevice: 'cam-1',
      laneId,
      laneDirection: 'forward',
      vehicleType,
      dateObservedFrom: new Date(T0 + minuteIndex * 60_000).toISOString(),
      dateObservedTo: new Date(T0 + (minuteIndex + 1) * 60_000).toISOString(),
      intensity,
    });
    const minutes = summariseFlowMinutes([row('a', 'car', 5), row('a', 'motorcycle', 20), row('a', 'anyVehicle', 25), row('b', 'anyVehicle', 10), row('a', 'car', 7, 1), row('a', 'bus', 1, 1)]);
    expect(minutes.map((entry) => entry.vehicles)).toEqual([35, 8]);
  });
});

class MemoryAlertStore implements IncidentAlertStore {
  readonly rows: Array<{ alert: Alert; rule: IncidentRule; dedupeKey: string; deviceId: string; closedAtMs?: number }> = [];
  async raise(incident: { alert: Alert; rule: IncidentRule; dedupeKey: string; deviceId: string }) {
    const open = this.rows.find((row) => row.dedupeKey === incident.dedupeKey && row.closedAtMs === undefined);
    if (open) return { created: false, record: { alert: open.alert } };
    this.rows.push({ ...incident });
    return { created: true, record: { alert: incident.alert } };
  }
  async update(alert: Alert) {
    const row = this.rows.find((candidate) => candidate.alert.id === alert.id);
    if (row) row.alert = alert;
  }
  async close(dedupeKey: string, closedAtMs: number) {
    const row = this.rows.find((candidate) => candidate.dedupeKey === dedupeKey && candidate.closedAtMs === undefined);
    if (!row) return undefined;
    row.closedAtMs = closedAtMs;
    row.alert = { ...row.alert, validTo: new Date(closedAtMs).toISOString() };
    return { alert: row.alert };
  }
  async openIncidents() {
    return this.rows.filter((row) => row.closedAtMs === undefined);
  }
}

describe('IncidentEngine', () => {
  const device = (id: string): Device => ({ ...sensor(id, 10), type: 'Device', controlledProperty: ['pm25', 'waterLevelCm'], deviceState: 'ok' });
  const setup = async () => {
    const store = new MemoryAlertStore();
    const published: BusMessage[] = [];
    let nowMs = T0;
    const engine = new IncidentEngine({ alerts: store, bus: { publish: (message) => published.push(message) }, devices: { list: async () => [device('aq-1')] }, logger: pino({ level: 'silent' }), nowMs: () => nowMs, offlineCheckIntervalMs: 3_600_000 });
    await engine.start();
    return { store, published, engine, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
  };

  it('raises once while PM2.5 stays high, escalates, and clears once', async () => {
    const { store, published, engine } = await setup();
    const values = [40, 85, 90, 88, 160, 100, 74, 60, 50];
    values.forEach((value, index) => engine.handle({ kind: 'readings', readings: [reading('aq-1', 'pm25', value, T0 + index * 10_000)] }));
    await engine.idle();
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ rule: 'pm25Threshold', deviceId: 'aq-1', closedAtMs: T0 + 7 * 10_000 });
    expect(store.rows[0]?.alert).toMatchObject({ severity: 'critical', validTo: new Date(T0 + 70_000).toISOString(), location: { type: 'Point' } });
    // raised, escalated to critical, cleared
    expect(published.map((message) => (message.kind === 'alert' ? [message.alert.severity, message.alert.validTo !== undefined] : null))).toEqual([
      ['high', false],
      ['critical', false],
      ['critical', true],
    ]);
  });

  it('marks a silent sensor offline and back online with its next reading', async () => {
    const { store, engine, advance, now } = await setup();
    advance(25_000);
    await engine.checkOffline();
    expect(store.rows).toHaveLength(0);
    advance(10_000); // 35 s > 3 × 10 s
    await engine.checkOffline();
    await engine.checkOffline();
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ rule: 'deviceOffline' });
    expect(store.rows[0]?.closedAtMs).toBeUndefined();
    engine.handle({ kind: 'readings', readings: [reading('aq-1', 'pm25', 10, now())] });
    await engine.idle();
    expect(store.rows[0]?.closedAtMs).toBe(now());
  });
});
