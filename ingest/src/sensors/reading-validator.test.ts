import { describe, expect, it } from 'vitest';
import type { Device } from '@ioc/schemas';
import { ReadingValidator, describeIssues, joinFieldPath, validateReading, type ReadingValidationContext } from './reading-validator';

const NOW_MS = Date.parse('2026-11-24T08:00:00Z');
const isoSecondsAgo = (seconds: number) => new Date(NOW_MS - seconds * 1000).toISOString();

const device = (id: string, controlledProperty: Device['controlledProperty']): Device => ({
  id,
  type: 'Device',
  name: id,
  category: 'sensor',
  controlledProperty,
  location: { type: 'Point', coordinates: [105.85, 21.03] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
});
const devices = new Map([
  ['aq-1', device('aq-1', ['pm25', 'pm10'])],
  ['flood-1', device('flood-1', ['waterLevelCm'])],
]);
const context: ReadingValidationContext = { devices, limits: { maxReadingAgeSeconds: 7 * 86_400, maxFutureSkewSeconds: 300 }, nowMs: NOW_MS };
const good = { deviceId: 'aq-1', property: 'pm25', value: 42.5, observedAt: isoSecondsAgo(30) };

describe('validateReading (HTTP items, deviceId in the item)', () => {
  it('accepts a valid reading as a StoredReading with epoch milliseconds', () => {
    expect(validateReading(good, context)).toEqual({ ok: true, reading: { deviceId: 'aq-1', property: 'pm25', value: 42.5, observedAtMs: NOW_MS - 30_000 } });
  });

  it.each([
    { name: 'an offset time', item: { ...good, observedAt: '2026-11-24T14:59:00+07:00' }, observedAtMs: NOW_MS - 60_000 },
    { name: 'nanosecond fractions', item: { ...good, observedAt: '2026-11-24T07:59:00.123456789Z' }, observedAtMs: NOW_MS - 60_000 + 123 },
    { name: 'the lowest physical value', item: { ...good, value: 0 }, observedAtMs: NOW_MS - 30_000 },
    { name: 'a negative water level (below the road)', item: { deviceId: 'flood-1', property: 'waterLevelCm', value: -20, observedAt: isoSecondsAgo(30) }, observedAtMs: NOW_MS - 30_000 },
    { name: 'exactly the oldest allowed age', item: { ...good, observedAt: isoSecondsAgo(7 * 86_400) }, observedAtMs: NOW_MS - 7 * 86_400_000 },
    { name: 'exactly the largest future skew', item: { ...good, observedAt: isoSecondsAgo(-300) }, observedAtMs: NOW_MS + 300_000 },
  ])('accepts $name', ({ item, observedAtMs }) => {
    const verdict = validateReading(item, context);
    expect(verdict.ok && verdict.reading.observedAtMs).toBe(observedAtMs);
  });

  it.each([
    { name: 'a string value', item: { ...good, value: 'high' }, code: 'IOC_ERR_VALIDATION', path: 'value', reason: /expected number/ },
    { name: 'a missing value', item: { deviceId: 'aq-1', property: 'pm25', observedAt: isoSecondsAgo(1) }, code: 'IOC_ERR_VALIDATION', path: 'value', reason: /expected number/ },
    { name: 'an unknown property name', item: { ...good, property: 'pm1' }, code: 'IOC_ERR_VALIDATION', path: 'property', reason: /pm25/ },
    { name: 'a time without offset', item: { ...good, observedAt: '2026-11-24T07:00:00' }, code: 'IOC_ERR_VALIDATION', path: 'observedAt', reason: /datetime/i },
    { name: 'an unknown field', item: { ...good, extra: true }, code: 'IOC_ERR_VALIDATION', path: '(root)', reason: /extra/ },
    { name: 'not an object', item: 42, code: 'IOC_ERR_VALIDATION', path: '(root)', reason: /expected object/ },
    { name: 'null', item: null, code: 'IOC_ERR_VALIDATION', path: '(root)', reason: /expected object/ },
    { name: 'a device id with a slash', item: { ...good, deviceId: 'aq/1' }, code: 'IOC_ERR_VALIDATION', path: 'deviceId', reason: /letters, digits/ },
    { name: 'a value above the physical range', item: { ...good, value: 1001 }, code: 'IOC_ERR_VALIDATION', path: 'value', reason: /between 0 and 1000 µg\/m³/ },
    { name: 'a value below the physical range', item: { ...good, value: -0.1 }, code: 'IOC_ERR_VALIDATION', path: 'value', reason: /found -0.1/ },
    { name: 'an unregistered device', item: { ...good, deviceId: 'aq-9' }, code: 'IOC_ERR_UNKNOWN_DEVICE', path: 'deviceId', reason: /"aq-9" is not registered/ },
    { name: 'a property the device does not measure', item: { ...good, property: 'noiseLAeq', value: 60 }, code: 'IOC_ERR_PROPERTY_NOT_CONTROLLED', path: 'property', reason: /measures pm25, pm10/ },
    { name: 'a reading older than the limit', item: { ...good, observedAt: isoSecondsAgo(7 * 86_400 + 1) }, code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE', path: 'observedAt', reason: /maxReadingAgeSeconds/ },
    { name: 'a reading from 2001', item: { ...good, observedAt: '2001-01-01T00:00:00Z' }, code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE', path: 'observedAt', reason: /days old/ },
    { name: 'a reading too far in the future', item: { ...good, observedAt: isoSecondsAgo(-301) }, code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE', path: 'observedAt', reason: /ahead of the server clock/ },
  ])('rejects $name with $code at $path', ({ item, code, path, reason }) => {
    const verdict = validateReading(item, context);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.rejection.code).toBe(code);
    expect(verdict.rejection.issues.map((issue) => issue.path)).toContain(path);
    expect(describeIssues(verdict.rejection.issues)).toMatch(reason);
  });

  it('reports every schema problem of an item at once', () => {
    const verdict = validateReading({ deviceId: 'aq-1', property: 'pm99', value: 'x', observedAt: 'yesterday' }, context);
    expect(!verdict.ok && verdict.rejection.issues.map((issue) => issue.path).sort()).toEqual(['observedAt', 'property', 'value']);
  });
});

describe('validateReading (MQTT items, deviceId from the topic)', () => {
  const item = { property: 'waterLevelCm', value: 12, observedAt: isoSecondsAgo(5) };

  it('takes the device from the context', () => {
    expect(validateReading(item, { ...context, deviceId: 'flood-1' })).toEqual({ ok: true, reading: { deviceId: 'flood-1', property: 'waterLevelCm', value: 12, observedAtMs: NOW_MS - 5000 } });
  });

  it.each([
    { name: 'a deviceId inside the item', item: { ...item, deviceId: 'flood-1' }, deviceId: 'flood-1', code: 'IOC_ERR_VALIDATION', path: '(root)' },
    { name: 'an unregistered topic device', item, deviceId: 'flood-9', code: 'IOC_ERR_UNKNOWN_DEVICE', path: 'deviceId' },
    { name: 'a topic device that is not an id', item, deviceId: 'bad id', code: 'IOC_ERR_VALIDATION', path: 'deviceId' },
    { name: 'a property the topic device does not measure', item, deviceId: 'aq-1', code: 'IOC_ERR_PROPERTY_NOT_CONTROLLED', path: 'property' },
  ])('rejects $name', ({ item: input, deviceId, code, path }) => {
    const verdict = validateReading(input, { ...context, deviceId });
    expect(verdict.ok ? undefined : { code: verdict.rejection.code, path: verdict.rejection.issues[0]?.path }).toEqual({ code, path });
  });
});

describe('ReadingValidator', () => {
  it('reads the clock on every call', () => {
    let nowMs = NOW_MS;
    const validator = new ReadingValidator({ devices, limits: context.limits, now: () => nowMs });
    expect(validator.validate(good).ok).toBe(true);
    nowMs += 8 * 86_400_000;
    expect(validator.validate(good)).toMatchObject({ ok: false, rejection: { code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE' } });
  });
});

describe('joinFieldPath', () => {
  it.each([
    { prefix: 'readings.1', path: 'value', joined: 'readings.1.value' },
    { prefix: 'readings.1', path: '(root)', joined: 'readings.1' },
    { prefix: '', path: 'value', joined: 'value' },
    { prefix: '3', path: 'observedAt', joined: '3.observedAt' },
  ])('$prefix + $path = $joined', ({ prefix, path, joined }) => {
    expect(joinFieldPath(prefix, path)).toBe(joined);
  });
});
