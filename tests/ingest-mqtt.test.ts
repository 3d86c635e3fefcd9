import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type BusMessage, type Device, type StoredReading } from '@ioc/schemas';
import { BatchWriter, DeviceRepository, createPool, migrate } from '@ioc/store';
import { DeviceRegistry, MqttSensorSource, SensorIngest, type DeadLetterRow } from '@ioc/ingest';
import { createTestDatabase } from './setup/database';

/**
 * The MQTT sensor source against Debian's Mosquitto: what a sensor publishes on `ioc/v1/sensors/{deviceId}`
 * ends up as readings or as dead letters with their reason, and the source comes back after losing the broker.
 *
 * Everything goes through the real store: devices in PostgreSQL, readings and dead letters through the
 * BatchWriter, and the assertions read back what the database holds.
 */
const logger = pino({ level: 'silent' });
const runId = randomBytes(3).toString('hex');
const isoSecondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

const station = (id: string, controlledProperty: Device['controlledProperty'] = ['pm25', 'noiseLAeq']): Device => ({
  id,
  type: 'Device',
  name: `Trạm ${id}`,
  category: 'sensor',
  controlledProperty,
  location: { type: 'Point', coordinates: [105.85, 21.03] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
});

/** Reads back what the store holds for one device or topic. */
class StoreProbe {
  constructor(private readonly pool: ReturnType<typeof createPool>) {}

  async readingsOf(deviceId: string): Promise<Array<Pick<StoredReading, 'property' | 'value'>>> {
    const result = await this.pool.query<{ property: StoredReading['property']; value: number }>(
      'SELECT property, value FROM sensor_readings WHERE device_id = $1 ORDER BY observed_at, property',
      [deviceId],
    );
    return result.rows;
  }

  async deadLettersOn(topic: string): Promise<DeadLetterRow[]> {
    const result = await this.pool.query<{ source: string; topic: string; payload: string; code: string; reason: string }>(
      'SELECT source, topic, payload, code, reason FROM dead_letters WHERE topic = $1 ORDER BY id',
      [topic],
    );
    return result.rows.map((row) => ({ ...row, receivedAtMs: 0 }));
  }
}

describe('MQTT sensor source against Mosquitto', () => {
  const brokerUrl = inject('mosquittoUrl');
  const config = resolveConfig({ mqtt: { maxPayloadBytes: 1024 }, log: { level: 'silent' } }, {});
  const outboxDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-ingest-outbox-'));
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;
  let devices: DeviceRepository;
  let sink: BatchWriter;
  let probe: StoreProbe;
  const published: BusMessage[] = [];
  let registry: DeviceRegistry;
  let sensorIngest: SensorIngest;
  let source: MqttSensorSource;
  let sensor: MqttClient;

  const deviceId = (name: string) => `mq-${runId}-${name}`;
  const topicOf = (id: string) => `ioc/v1/sensors/${id}`;
  const register = (id: string, properties?: Device['controlledProperty']) => devices.upsert([station(id, properties)]);
  const publish = (topic: string, payload: string | Buffer) => sensor.publishAsync(topic, payload, { qos: 1 });

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'ingest_mqtt');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, logger);
    devices = new DeviceRepository(pool);
    sink = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows: 500, flushIntervalMs: 50, retryIntervalMs: 500, logger });
    probe = new StoreProbe(pool);
    for (const name of ['single', 'array', 'malformed', 'oversize', 'binary', 'reconnect']) await register(deviceId(name));
    registry = new DeviceRegistry({ repository: devices, logger, minMissRefreshIntervalMs: 200 });
    await registry.refresh();
    sensorIngest = new SensorIngest({ registry, writer: sink, bus: { publish: (message) => void published.push(message) }, config, logger });
    source = new MqttSensorSource({ brokerUrl, sensorIngest, writer: sink, config, logger });
    await source.start();
    sensor = await mqtt.connectAsync(brokerUrl, { clientId: `sensor-${runId}` });
  });

  afterAll(async () => {
    await sensor?.endAsync();
    await source?.close();
    await sensorIngest?.close();
    await sink?.close();
    await pool?.end();
    await database?.drop();
    rmSync(outboxDirectory, { recursive: true, force: true });
  });

  it('is connected once start() resolves', () => {
    expect(source.connected).toBe(true);
  });

  it('accepts one reading, takes the device from the topic and announces it on the bus', async () => {
    const id = deviceId('single');
    await publish(topicOf(id), JSON.stringify({ property: 'pm25', value: 37.5, observedAt: isoSecondsAgo(3) }));
    await expect.poll(() => probe.readingsOf(id), { timeout: 5000 }).toEqual([{ property: 'pm25', value: 37.5 }]);
    expect(published).toContainEqual({ kind: 'readings', readings: [expect.objectContaining({ deviceId: id, value: 37.5 })] });
    expect(await probe.deadLettersOn(topicOf(id))).toEqual([]);
  });

  it('accepts the valid items of an array and dead-letters the invalid one with its path', async () => {
    const id = deviceId('array');
    const bad = { property: 'pm25', value: 'high', observedAt: isoSecondsAgo(2) };
    await publish(
      topicOf(id),
      JSON.stringify([{ property: 'pm25', value: 10, observedAt: isoSecondsAgo(3) }, bad, { property: 'noiseLAeq', value: 65, observedAt: isoSecondsAgo(1) }]),
    );
    await expect.poll(async () => (await probe.deadLettersOn(topicOf(id))).length, { timeout: 5000 }).toBe(1);
    expect(await probe.readingsOf(id)).toEqual([
      { property: 'pm25', value: 10 },
      { property: 'noiseLAeq', value: 65 },
    ]);
    const [row] = await probe.deadLettersOn(topicOf(id));
    expect(row).toMatchObject({ source: 'mqtt', code: 'IOC_ERR_VALIDATION', reason: expect.stringMatching(/^1\.value: .*expected number/) });
    expect(JSON.parse(row?.payload ?? '')).toEqual(bad);
  });

  it('dead-letters malformed JSON with the raw payload', async () => {
    const id = deviceId('malformed');
    await publish(topicOf(id), '{"property": "pm25", "value": ');
    await expect.poll(() => probe.deadLettersOn(topicOf(id)), { timeout: 5000 }).toEqual([
      expect.objectContaining({ code: 'IOC_ERR_MALFORMED_JSON', payload: '{"property": "pm25", "value": ', reason: expect.stringContaining('not valid JSON') }),
    ]);
    expect(await probe.readingsOf(id)).toEqual([]);
  });

  it('dead-letters a payload over mqtt.maxPayloadBytes, keeping its first bytes', async () => {
    const id = deviceId('oversize');
    const items = Array.from({ length: 40 }, (_, index) => ({ property: 'pm25', value: index, observedAt: isoSecondsAgo(index + 1) }));
    const payload = JSON.stringify(items);
    expect(payload.length).toBeGreaterThan(1024);
    await publish(topicOf(id), payload);
    await expect.poll(async () => (await probe.deadLettersOn(topicOf(id))).map((row) => row.code), { timeout: 5000 }).toEqual(['IOC_ERR_PAYLOAD_TOO_LARGE']);
    const [row] = await probe.deadLettersOn(topicOf(id));
    expect(row?.reason).toContain(`${payload.length} bytes`);
    expect(row?.payload).toBe(payload.slice(0, 1024));
    expect(await probe.readingsOf(id)).toEqual([]);
  });

  it('keeps a payload that is not text as base64', async () => {
    const id = deviceId('binary');
    await publish(topicOf(id), Buffer.from([0xff, 0xfe, 0x00, 0x01]));
    await expect.poll(() => probe.deadLettersOn(topicOf(id)), { timeout: 5000 }).toEqual([
      expect.objectContaining({ code: 'IOC_ERR_MALFORMED_JSON', payload: 'base64://4AAQ==' }),
    ]);
  });

  it('dead-letters readings of an unknown device, and accepts the device once it is registered while running', async () => {
    const id = deviceId('late');
    const reading = (value: number) => JSON.stringify({ property: 'pm25', value, observedAt: isoSecondsAgo(1) });
    await publish(topicOf(id), reading(1));
    await expect.poll(() => probe.deadLettersOn(topicOf(id)), { timeout: 5000 }).toEqual([
      expect.objectContaining({ code: 'IOC_ERR_UNKNOWN_DEVICE', reason: expect.stringContaining(`deviceId: device "${id}" is not registered`) }),
    ]);
    await register(id);
    // The registry refreshes on a miss at most every 200 ms here: the next reading after that is accepted.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await publish(topicOf(id), reading(2));
    await expect.poll(() => probe.readingsOf(id), { timeout: 5000 }).toEqual([{ property: 'pm25', value: 2 }]);
  });

  it('dead-letters a property the device does not measure, and a topic that is not a device id', async () => {
    const id = deviceId('single');
    await publish(topicOf(id), JSON.stringify({ property: 'waterLevelCm', value: 3, observedAt: isoSecondsAgo(1) }));
    await expect.poll(async () => (await probe.deadLettersOn(topicOf(id))).map((row) => row.code), { timeout: 5000 }).toEqual(['IOC_ERR_PROPERTY_NOT_CONTROLLED']);
    const badTopic = `ioc/v1/sensors/-${runId}`;
    await publish(badTopic, JSON.stringify({ property: 'pm25', value: 3, observedAt: isoSecondsAgo(1) }));
    await expect.poll(() => probe.deadLettersOn(badTopic), { timeout: 5000 }).toEqual([expect.objectContaining({ code: 'IOC_ERR_VALIDATION', reason: expect.stringMatching(/^topic: /) })]);
  });

  it('reconnects and resubscribes after the broker drops it', async () => {
    const clientId = `ingest-takeover-${runId}`;
    const reconnecting = new MqttSensorSource({ brokerUrl, sensorIngest, writer: sink, config, logger, clientId, reconnectPeriodMs: 100 });
    await reconnecting.start();
    try {
      // A second connection with the same client id makes Mosquitto close the first one (session takeover).
      const intruder = await mqtt.connectAsync(brokerUrl, { clientId, reconnectPeriod: 0 });
      await expect.poll(() => reconnecting.connected, { timeout: 5000 }).toBe(false);
      await intruder.endAsync();
      await expect.poll(() => reconnecting.connected, { timeout: 5000 }).toBe(true);
      const received = reconnecting.messagesReceived;
      const id = deviceId('reconnect');
      // Subscribing follows the reconnect: publish until the resubscribed source has seen one.
      await expect
        .poll(
          async () => {
            await publish(topicOf(id), JSON.stringify({ property: 'noiseLAeq', value: 70, observedAt: isoSecondsAgo(1) }));
            return reconnecting.messagesReceived > received;
          },
          { timeout: 5000, interval: 100 },
        )
        .toBe(true);
      await expect.poll(async () => (await probe.readingsOf(id)).length, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      await reconnecting.close();
    }
    expect(reconnecting.connected).toBe(false);
  });

  it('rejects start() with a clear error, credentials scrubbed, when no broker answers', async () => {
    const unreachable = new MqttSensorSource({ brokerUrl: 'mqtt://ingest:s3cret@127.0.0.1:1', sensorIngest, writer: sink, config, logger, startTimeoutMs: 500 });
    const error = await unreachable.start().then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/Cannot subscribe to the MQTT broker mqtt:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:1 within 500 ms/);
    expect(error?.message).not.toContain('s3cret');
    expect(unreachable.connected).toBe(false);
    await unreachable.close();
  });
});
