import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SensorProperty, StoredReading } from '@ioc/schemas';
import { AggregateRefresher, BatchWriter, DeadLetterRepository, ReadingRepository, createPool, migrate } from '@ioc/store';
import { createTestDatabase } from './setup/database';

/**
 * The batch writer against the run's real PostgreSQL: 10,000 readings with duplicates inside and across
 * batches are stored exactly once, sensor_latest holds the newest, and history buckets (raw, minute, hour,
 * day) agree with the same numbers computed here.
 */
const silent = pino({ level: 'silent' });
const DEVICES = ['wr-aq-0', 'wr-aq-1', 'wr-aq-2', 'wr-aq-3', 'wr-aq-4'];
const PROPERTIES: SensorProperty[] = ['pm25', 'noiseLAeq'];
const SAMPLES = 1000;
const STEP_MS = 10_000;
const BASE_MS = Date.UTC(2026, 0, 5, 0, 0, 0);

function valueOf(deviceIndex: number, propertyIndex: number, sample: number): number {
  return Math.round((20 + 15 * Math.sin(sample / 37 + deviceIndex) + propertyIndex * 40 + (sample % 7) * 0.25) * 100) / 100;
}

/** Deterministic shuffle (mulberry32) so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Bucket {
  property: string;
  bucketStartMs: number;
  avgValue: number;
  minValue: number;
  maxValue: number;
  sampleCount: number;
}

function expectedBuckets(readings: StoredReading[], widthMs: number): Bucket[] {
  const groups = new Map<string, number[]>();
  for (const reading of readings) {
    const key = `${reading.property}|${Math.floor(reading.observedAtMs / widthMs) * widthMs}`;
    groups.set(key, [...(groups.get(key) ?? []), reading.value]);
  }
  return [...groups.entries()]
    .map(([key, values]) => {
      const [property, start] = key.split('|') as [string, string];
      return {
        property,
        bucketStartMs: Number(start),
        avgValue: values.reduce((sum, value) => sum + value, 0) / values.length,
        minValue: Math.min(...values),
        maxValue: Math.max(...values),
        sampleCount: values.length,
      };
    })
    .sort((left, right) => (left.property === right.property ? left.bucketStartMs - right.bucketStartMs : left.property < right.property ? -1 : 1));
}

function expectBucketsToMatch(actual: Bucket[], expected: Bucket[]): void {
  expect(actual.map(({ property, bucketStartMs, sampleCount, minValue, maxValue }) => ({ property, bucketStartMs, sampleCount, minValue, maxValue }))).toEqual(
    expected.map(({ property, bucketStartMs, sampleCount, minValue, maxValue }) => ({ property, bucketStartMs, sampleCount, minValue, maxValue })),
  );
  actual.forEach((bucket, index) => expect(bucket.avgValue).toBeCloseTo((expected[index] as Bucket).avgValue, 9));
}

describe('BatchWriter against PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;
  let writer: BatchWriter;
  let outboxDirectory: string;
  let refresher: AggregateRefresher;
  let timescaledb = false;
  const all: StoredReading[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'store_writer');
    pool = createPool(database.url, { max: 4 });
    timescaledb = (await migrate(pool, silent)).timescaledb;
    outboxDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-writer-outbox-'));
    writer = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows: 1000, flushIntervalMs: 20, retryIntervalMs: 500, logger: silent });
    refresher = new AggregateRefresher(pool, { intervalSeconds: 3600, timescaledb, logger: silent });
    DEVICES.forEach((deviceId, deviceIndex) =>
      PROPERTIES.forEach((property, propertyIndex) => {
        for (let sample = 0; sample < SAMPLES; sample += 1) all.push({ deviceId, property, value: valueOf(deviceIndex, propertyIndex, sample), observedAtMs: BASE_MS + sample * STEP_MS });
      }),
    );
  });
  afterAll(async () => {
    await writer?.close();
    await refresher?.stop();
    await pool?.end();
    await database?.drop();
    if (outboxDirectory) rmSync(outboxDirectory, { recursive: true, force: true });
  });

  const count = async (sql = 'SELECT count(*) AS count FROM sensor_readings', values: unknown[] = []) => Number((await pool.query<{ count: string }>(sql, values)).rows[0]?.count);

  it('stores 10,000 readings exactly once despite duplicates inside and across batches', async () => {
    const random = seededRandom(42);
    const shuffled = [...all].sort(() => random() - 0.5);
    const calls: StoredReading[][] = [];
    for (let start = 0; start < shuffled.length; start += 700) {
      const chunk = shuffled.slice(start, start + 700);
      // Repeats within the same call (same batch) …
      for (let repeat = 0; repeat < 60; repeat += 1) chunk.push(chunk[Math.floor(random() * chunk.length)] as StoredReading);
      // … and of rows already sent in earlier calls (other batches, possibly committed already).
      for (let repeat = 0; repeat < 60 && start > 0; repeat += 1) chunk.push(shuffled[Math.floor(random() * start)] as StoredReading);
      calls.push(chunk);
    }
    expect(calls.reduce((sum, call) => sum + call.length, 0)).toBeGreaterThan(11_000);

    // All calls at once: they share batches of at most 1000 rows; then the first half again, one by one.
    await Promise.all(calls.map((call) => writer.writeReadings(call)));
    for (const call of calls.slice(0, calls.length / 2)) await writer.writeReadings(call);

    expect(await count()).toBe(10_000);
    expect(await count('SELECT count(*) AS count FROM (SELECT DISTINCT device_id, property, observed_at FROM sensor_readings) AS keys')).toBe(10_000);
    expect(writer.mode()).toBe('direct');
    expect(writer.depth()).toEqual({ batches: 0, rows: 0 });
  });

  it('keeps the newest value per device and property in sensor_latest, and the first value of a repeated key', async () => {
    // An older reading and a conflicting repeat arriving late change nothing.
    await writer.writeReadings([
      { deviceId: 'wr-aq-0', property: 'pm25', value: 999, observedAtMs: BASE_MS },
      { deviceId: 'wr-aq-0', property: 'pm25', value: 998, observedAtMs: BASE_MS + (SAMPLES - 1) * STEP_MS },
    ]);
    const latest = await new ReadingRepository(pool).latest();
    expect(latest).toHaveLength(DEVICES.length * PROPERTIES.length);
    for (const reading of latest) {
      const deviceIndex = DEVICES.indexOf(reading.deviceId);
      const propertyIndex = PROPERTIES.indexOf(reading.property);
      expect(reading).toEqual({ deviceId: reading.deviceId, property: reading.property, value: valueOf(deviceIndex, propertyIndex, SAMPLES - 1), observedAtMs: BASE_MS + (SAMPLES - 1) * STEP_MS });
    }
    const first = await pool.query('SELECT value FROM sensor_readings WHERE device_id = $1 AND property = $2 AND observed_at = $3', ['wr-aq-0', 'pm25', new Date(BASE_MS)]);
    expect(first.rows).toEqual([{ value: valueOf(0, 0, 0) }]);
    expect(await count()).toBe(10_000);
  });

  it('answers raw and minute history from the raw table', async () => {
    const repository = new ReadingRepository(pool);
    const device = all.filter((reading) => reading.deviceId === 'wr-aq-2');
    const range = { deviceId: 'wr-aq-2', fromMs: BASE_MS, toMs: BASE_MS + SAMPLES * STEP_MS };

    const raw = await repository.history({ ...range, property: 'pm25', bucket: 'raw' });
    expect(raw).toHaveLength(SAMPLES);
    expect(raw.slice(0, 2)).toEqual(
      device.slice(0, 2).map((reading) => ({ property: 'pm25', bucketStartMs: reading.observedAtMs, avgValue: reading.value, minValue: reading.value, maxValue: reading.value, sampleCount: 1 })),
    );

    const minute = await repository.history({ ...range, bucket: 'minute' });
    expectBucketsToMatch(minute, expectedBuckets(device, 60_000));
    expect(minute[0]?.sampleCount).toBe(6);
  });

  it('answers hour and day history from the views once refreshed, the same as from raw', async () => {
    const fromViews = new ReadingRepository(pool); // the data is days old: past the raw tail
    const fromRaw = new ReadingRepository(pool, { rawTailMs: 10 * 365 * 86_400_000 });
    const device = all.filter((reading) => reading.deviceId === 'wr-aq-3');
    const range = { deviceId: 'wr-aq-3', fromMs: BASE_MS + 30 * 60_000, toMs: BASE_MS + SAMPLES * STEP_MS };

    if (!timescaledb) {
      // Plain PostgreSQL: nothing in the views until they are refreshed.
      expect(await fromViews.history({ ...range, bucket: 'hour' })).toEqual([]);
    }
    await refresher.refreshNow();
    const expectedHours = expectedBuckets(device, 3_600_000);
    expect(expectedHours.length).toBe(6); // 2 properties × 3 hours (2 h 46 min of data)
    expectBucketsToMatch(await fromViews.history({ ...range, bucket: 'hour' }), expectedHours);
    expectBucketsToMatch(await fromRaw.history({ ...range, bucket: 'hour' }), expectedHours);
    const expectedDays = expectedBuckets(device, 86_400_000);
    expectBucketsToMatch(await fromViews.history({ ...range, property: 'noiseLAeq', bucket: 'day' }), expectedDays.filter((bucket) => bucket.property === 'noiseLAeq'));
    expectBucketsToMatch(await fromRaw.history({ ...range, bucket: 'day' }), expectedDays);
  });

  it('includes recent readings in hour history before any refresh', async () => {
    const nowMs = Date.now();
    const recent: StoredReading[] = Array.from({ length: 30 }, (_, index) => ({ deviceId: 'wr-aq-4', property: 'pm25', value: index, observedAtMs: nowMs - 30 * 60_000 + index * 60_000 }));
    await writer.writeReadings(recent);
    const hours = await new ReadingRepository(pool).history({ deviceId: 'wr-aq-4', property: 'pm25', fromMs: nowMs - 3 * 3_600_000, toMs: nowMs + 1, bucket: 'hour' });
    expectBucketsToMatch(hours, expectedBuckets(recent, 3_600_000));
    const recentRows = await new ReadingRepository(pool).recent({ sinceMs: nowMs - 31 * 60_000 });
    expect(recentRows.map((reading) => reading.value)).toEqual(recent.map((reading) => reading.value));
  });

  it('writes dead letters through the same path, text kept exactly', async () => {
    const payload = 'line one\nline\ttwo \\ "quoted" Hà Nội';
    await writer.writeDeadLetters([{ receivedAtMs: Date.UTC(2026, 10, 24), source: 'mqtt', topic: 'ioc/v1/sensors/wr-aq-1', payload, code: 'IOC_ERR_VALIDATION', reason: 'value: expected number' }]);
    const [stored] = await new DeadLetterRepository(pool).list({ limit: 1 });
    expect(stored).toMatchObject({ receivedAtMs: Date.UTC(2026, 10, 24), source: 'mqtt', topic: 'ioc/v1/sensors/wr-aq-1', payload, code: 'IOC_ERR_VALIDATION' });
  });

  it('rejects a caller whose rows the database refuses, keeps them in failed/, and stores its neighbours', async () => {
    const before = await count();
    const good = writer.writeReadings([{ deviceId: 'wr-aq-1', property: 'pm25', value: 1, observedAtMs: Date.UTC(2025, 0, 1) }]);
    // Beyond timestamptz's range: PostgreSQL refuses it (not an outage, so no retrying).
    const bad = writer.writeReadings([{ deviceId: 'wr-aq-1', property: 'pm25', value: 2, observedAtMs: 8.64e15 }]);
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toMatchObject({ code: 'IOC_ERR_INTERNAL' });
    expect(await count()).toBe(before + 1);
    expect(readdirSync(path.join(outboxDirectory, 'failed'))).toHaveLength(1);
    expect(writer.depth().batches).toBe(0);
  });

  it('refuses new rows once closed', async () => {
    const closedOutbox = mkdtempSync(path.join(tmpdir(), 'ioc-writer-closed-'));
    const closing = new BatchWriter({ pool, outboxDir: closedOutbox, maxBatchRows: 10, flushIntervalMs: 10_000, retryIntervalMs: 1000, logger: silent });
    const pending = closing.writeReadings([{ deviceId: 'wr-aq-1', property: 'pm10', value: 3, observedAtMs: Date.UTC(2025, 0, 2) }]);
    await closing.close(); // flushes what is buffered though the flush interval has not passed
    await expect(pending).resolves.toBeUndefined();
    await expect(closing.writeReadings([{ deviceId: 'wr-aq-1', property: 'pm10', value: 4, observedAtMs: Date.UTC(2025, 0, 3) }])).rejects.toMatchObject({ code: 'IOC_ERR_SHUTTING_DOWN' });
    expect(await count("SELECT count(*) AS count FROM sensor_readings WHERE property = 'pm10'")).toBe(1);
    rmSync(closedOutbox, { recursive: true, force: true });
  });
});
