import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BusMessage, Device, StoredReading } from '@ioc/schemas';
import type { DeviceReport } from '../ports';
import { DeviceRegistry } from './device-registry';
import { SensorIngest } from './sensor-ingest';

/** Pure logic around in-memory ports; the real writer and broker are exercised in tests/ingest-*.test.ts. */
const logger = pino({ level: 'silent' });
const NOW_MS = Date.parse('2026-11-24T08:00:00Z');
const isoSecondsAgo = (seconds: number) => new Date(NOW_MS - seconds * 1000).toISOString();
const config = { ingest: { maxReadingAgeSeconds: 86_400, maxFutureSkewSeconds: 300 } };

const device = (id: string, controlledProperty: Device['controlledProperty'] = ['pm25']): Device => ({
  id,
  type: 'Device',
  name: id,
  category: 'sensor',
  controlledProperty,
  location: { type: 'Point', coordinates: [105.85, 21.03] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
});

function fixture(options: { devices?: Device[]; failWrites?: boolean; withReports?: boolean } = {}) {
  const registered = [...(options.devices ?? [device('aq-1')])];
  let listCalls = 0;
  let nowMs = NOW_MS;
  const repository = {
    list: async () => {
      listCalls += 1;
      return [...registered];
    },
    reports: [] as DeviceReport[],
  };
  const deviceRepository = options.withReports
    ? Object.assign(repository, { markValuesReported: async (reports: DeviceReport[]) => void repository.reports.push(...reports) })
    : repository;
  const written: StoredReading[][] = [];
  const writer = {
    writeReadings: async (rows: StoredReading[]) => {
      if (options.failWrites) throw new Error('disk full');
      written.push(rows);
    },
  };
  const published: BusMessage[] = [];
  const bus = { publish: (message: BusMessage) => void published.push(message) };
  const registry = new DeviceRegistry({ repository, logger, minMissRefreshIntervalMs: 1000, now: () => nowMs });
  const ingest = new SensorIngest({ registry, writer, bus, deviceRepository, config, logger, now: () => nowMs });
  return {
    registry,
    ingest,
    written,
    published,
    registered,
    repository,
    listCalls: () => listCalls,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('SensorIngest.acceptBatch', () => {
  it('writes the valid items, reports the invalid ones by index, then publishes what was written', async () => {
    const { registry, ingest, written, published } = fixture();
    await registry.refresh();
    const items = [
      { deviceId: 'aq-1', property: 'pm25', value: 10, observedAt: isoSecondsAgo(60) },
      { deviceId: 'aq-1', property: 'pm25', value: 'x', observedAt: isoSecondsAgo(50) },
      { deviceId: 'aq-1', property: 'pm25', value: 12, observedAt: isoSecondsAgo(40) },
      { deviceId: 'aq-2', property: 'pm25', value: 12, observedAt: isoSecondsAgo(40) },
    ];
    const result = await ingest.acceptBatch(items, { source: 'http' });
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([
      { index: 1, code: 'IOC_ERR_VALIDATION', issues: [expect.objectContaining({ path: 'value' })] },
      { index: 3, code: 'IOC_ERR_UNKNOWN_DEVICE', issues: [expect.objectContaining({ path: 'deviceId' })] },
    ]);
    const expected = [
      { deviceId: 'aq-1', property: 'pm25', value: 10, observedAtMs: NOW_MS - 60_000 },
      { deviceId: 'aq-1', property: 'pm25', value: 12, observedAtMs: NOW_MS - 40_000 },
    ];
    expect(written).toEqual([expected]);
    expect(published).toEqual([{ kind: 'readings', readings: expected }]);
  });

  it('takes the device from the MQTT context', async () => {
    const { registry, ingest, written } = fixture();
    await registry.refresh();
    const result = await ingest.acceptBatch([{ property: 'pm25', value: 3, observedAt: isoSecondsAgo(1) }], { source: 'mqtt', deviceId: 'aq-1' });
    expect(result).toEqual({ accepted: 1, rejected: [] });
    expect(written[0]?.[0]?.deviceId).toBe('aq-1');
  });

  it('writes and publishes nothing when nothing is valid', async () => {
    const { registry, ingest, written, published } = fixture();
    await registry.refresh();
    const result = await ingest.acceptBatch([{}], { source: 'http' });
    expect(result.accepted).toBe(0);
    expect(written).toEqual([]);
    expect(published).toEqual([]);
  });

  it('fails the whole call when the writer cannot make the readings durable, and publishes nothing', async () => {
    const { registry, ingest, published } = fixture({ failWrites: true });
    await registry.refresh();
    await expect(ingest.acceptBatch([{ deviceId: 'aq-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(1) }], { source: 'http' })).rejects.toThrow('disk full');
    expect(published).toEqual([]);
  });

  it('accepts a device registered while running on its first reading, refreshing at most once per interval', async () => {
    const { registry, ingest, registered, listCalls, advance } = fixture();
    await registry.refresh();
    expect(listCalls()).toBe(1);
    advance(5000);
    const reading = { deviceId: 'aq-new', property: 'pm25', value: 1, observedAt: isoSecondsAgo(1) };
    // Not registered yet: one refresh, still unknown.
    expect((await ingest.acceptBatch([reading], { source: 'http' })).rejected[0]?.code).toBe('IOC_ERR_UNKNOWN_DEVICE');
    expect(listCalls()).toBe(2);
    registered.push(device('aq-new'));
    // Within the interval: no refresh, still rejected.
    advance(500);
    expect((await ingest.acceptBatch([reading], { source: 'http' })).accepted).toBe(0);
    expect(listCalls()).toBe(2);
    // After the interval: refreshed and accepted.
    advance(600);
    expect(await ingest.acceptBatch([reading], { source: 'http' })).toEqual({ accepted: 1, rejected: [] });
    expect(listCalls()).toBe(3);
    expect(registry.has('aq-new')).toBe(true);
  });

  it('shares one refresh among concurrent batches that miss', async () => {
    const { registry, ingest, registered, listCalls, advance } = fixture();
    await registry.refresh();
    registered.push(device('aq-new'));
    advance(5000);
    const reading = { deviceId: 'aq-new', property: 'pm25', value: 1, observedAt: isoSecondsAgo(1) };
    const results = await Promise.all([1, 2, 3].map(() => ingest.acceptBatch([reading], { source: 'http' })));
    expect(results.map((result) => result.accepted)).toEqual([1, 1, 1]);
    expect(listCalls()).toBe(2);
  });

  it('records the newest observation per device as last reported, coalesced, on close', async () => {
    const { registry, ingest, repository } = fixture({ devices: [device('aq-1'), device('aq-2')], withReports: true });
    await registry.refresh();
    await ingest.acceptBatch(
      [
        { deviceId: 'aq-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(30) },
        { deviceId: 'aq-1', property: 'pm25', value: 2, observedAt: isoSecondsAgo(10) },
        { deviceId: 'aq-2', property: 'pm25', value: 3, observedAt: isoSecondsAgo(20) },
      ],
      { source: 'http' },
    );
    await ingest.acceptBatch([{ deviceId: 'aq-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(40) }], { source: 'http' });
    expect(repository.reports).toEqual([]);
    await ingest.close();
    expect(repository.reports.sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([
      { deviceId: 'aq-1', reportedAtMs: NOW_MS - 10_000 },
      { deviceId: 'aq-2', reportedAtMs: NOW_MS - 20_000 },
    ]);
  });

  it('refuses batches after close with IOC_ERR_SHUTTING_DOWN', async () => {
    const { ingest } = fixture();
    await ingest.close();
    await expect(ingest.acceptBatch([], { source: 'http' })).rejects.toMatchObject({ code: 'IOC_ERR_SHUTTING_DOWN', httpStatus: 503 });
  });

  it('keeps accepted readings accepted when a bus subscriber throws', async () => {
    const { registry } = fixture();
    await registry.refresh();
    const ingest = new SensorIngest({ registry, writer: { writeReadings: async () => {} }, bus: { publish: () => { throw new Error('subscriber bug'); } }, config, logger, now: () => NOW_MS });
    expect(await ingest.acceptBatch([{ deviceId: 'aq-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(1) }], { source: 'http' })).toEqual({ accepted: 1, rejected: [] });
  });
});

describe('DeviceRegistry', () => {
  it('keeps the previous devices when a refresh fails, and refreshOnMiss does not throw', async () => {
    let fail = false;
    const registry = new DeviceRegistry({
      repository: { list: async () => { if (fail) throw new Error('database away'); return [device('aq-1')]; } },
      logger,
      minMissRefreshIntervalMs: 0,
    });
    await registry.refresh();
    fail = true;
    await expect(registry.refresh()).rejects.toThrow('database away');
    expect(await registry.refreshOnMiss()).toBe(false);
    expect(registry.get('aq-1')?.id).toBe('aq-1');
    expect(registry.size).toBe(1);
  });

  it('refreshes periodically after start and stops on stop', async () => {
    let calls = 0;
    const registry = new DeviceRegistry({ repository: { list: async () => { calls += 1; return []; } }, logger });
    registry.start(20);
    await expect.poll(() => calls, { timeout: 2000 }).toBeGreaterThanOrEqual(2);
    registry.stop();
    const stoppedAt = calls;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toBeLessThanOrEqual(stoppedAt + 1);
  });
});
