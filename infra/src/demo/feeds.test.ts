import { describe, expect, it } from 'vitest';
import { mqttReadingPayloadSchema, sensorReadingSchema, SENSOR_PROPERTIES } from '@ioc/schemas';
import { createDemoState } from './demo-values';
import { demoPayload, generateBackfill, sensorTopic } from './feeds';
import { demoDevices } from './site';

const devices = demoDevices();
const FROM_MS = Date.UTC(2026, 2, 4, 0, 0, 3);
const TO_MS = FROM_MS + 60 * 60_000;

describe('generateBackfill', () => {
  const rows = generateBackfill({ devices, fromMs: FROM_MS, toMs: TO_MS, seed: 1 });

  it('is the same for the same seed, and differs for another', () => {
    expect(generateBackfill({ devices, fromMs: FROM_MS, toMs: TO_MS, seed: 1 })).toEqual(rows);
    expect(generateBackfill({ devices, fromMs: FROM_MS, toMs: TO_MS, seed: 2 })).not.toEqual(rows);
  });

  it.each(devices.map((device) => [device.id, device] as const))('has %s at its report interval, every property, inside the window', (_id, device) => {
    const own = rows.filter((row) => row.deviceId === device.id);
    const intervalMs = device.reportIntervalSeconds * 1000;
    const expectedTimes = Math.floor(TO_MS / intervalMs) - Math.ceil(FROM_MS / intervalMs) + 1;
    expect(own.length).toBe(expectedTimes * device.controlledProperty.length);
    for (const row of own) {
      expect(row.observedAtMs % intervalMs).toBe(0);
      expect(row.observedAtMs).toBeGreaterThanOrEqual(FROM_MS);
      expect(row.observedAtMs).toBeLessThanOrEqual(TO_MS);
      expect(device.controlledProperty).toContain(row.property);
    }
  });

  it('gives rows the ingest would accept, in time order, within the physical ranges', () => {
    let previousMs = -Infinity;
    for (const row of rows) {
      expect(row.observedAtMs).toBeGreaterThanOrEqual(previousMs);
      previousMs = row.observedAtMs;
      const { minValue, maxValue } = SENSOR_PROPERTIES[row.property];
      expect(row.value).toBeGreaterThanOrEqual(minValue);
      expect(row.value).toBeLessThanOrEqual(maxValue);
      expect(() => sensorReadingSchema.parse({ deviceId: row.deviceId, property: row.property, value: row.value, observedAt: new Date(row.observedAtMs).toISOString() })).not.toThrow();
    }
  });

  it('has no duplicate natural keys', () => {
    const keys = new Set(rows.map((row) => `${row.deviceId}|${row.property}|${row.observedAtMs}`));
    expect(keys.size).toBe(rows.length);
  });

  it.each([
    ['an empty window', TO_MS, FROM_MS],
    ['a window shorter than every interval, between reports', FROM_MS + 1, FROM_MS + 1_500],
  ])('is empty for %s', (_label, fromMs, toMs) => {
    expect(generateBackfill({ devices, fromMs, toMs, seed: 1 })).toEqual([]);
  });
});

describe('demoPayload', () => {
  it.each(devices.map((device) => [device.id, device] as const))('for %s matches mqttReadingPayloadSchema', (_id, device) => {
    const payload = demoPayload(device, FROM_MS, createDemoState(device.id, 1));
    const body = JSON.parse(JSON.stringify(payload.length === 1 ? payload[0] : payload));
    expect(() => mqttReadingPayloadSchema.parse(body)).not.toThrow();
    expect(sensorTopic(device.id)).toBe(`ioc/v1/sensors/${device.id}`);
  });
});
