import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  parseEventId,
  resolveConfig,
  type Device,
  type HealthReport,
  type LiveEvent,
  type WallClientToServerEvents,
  type WallDeltaBatch,
  type WallServerToClientEvents,
  type WallSnapshot,
} from '@ioc/schemas';
import { DeviceRepository, createPool, migrate } from '@ioc/store';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * The system as one process against a real PostgreSQL and Debian's Mosquitto as the external broker
 * (MQTT_URL): HTTP ingest with good and bad input, health, history, and the live protocol
 * (snapshot → deltas, no gap and no double across reconnects).
 */
const station = (id: string, longitude: number): Device => ({
  id,
  type: 'Device',
  name: `Trạm ${id}`,
  category: 'sensor',
  controlledProperty: ['pm25', 'noiseLAeq'],
  location: { type: 'Point', coordinates: [longitude, 21.39] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
});
const DEVICES = [station('api-aq-1', 103.01), station('api-aq-2', 103.03)];

describe('API and live protocol against real services', () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts); machine routes take an API key. */
  let staff: SignedIn;
  let machineKey: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'api_system');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    await new DeviceRepository(pool).upsert(DEVICES);
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-api-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 64 * 1024 },
        demo: { enabled: false },
        live: { batchIntervalMs: 50 },
        log: { level: 'silent' },
      },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'admin');
    machineKey = await createTestApiKey(database.url, ['ingest', 'dossiers']);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${system.url}/api/v1/ingest/readings`, { method: 'POST', headers: { 'x-api-key': machineKey, 'content-type': contentType }, body });
  const isoSecondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
  const storedCount = async (deviceId: string) => Number((await client.query('SELECT count(*) FROM sensor_readings WHERE device_id = $1', [deviceId])).rows[0].count);

  it('reports health: database, TimescaleDB use, outbox, broker', async () => {
    const health = (await (await staff.fetch(`${system.url}/api/v1/health`)).json()) as HealthReport;
    expect(health.status).toBe('ok');
    expect(health.database.reachable).toBe(true);
    expect(typeof health.database.timescaledb).toBe('boolean');
    expect(health.outbox).toEqual({ depthBatches: 0, depthRows: 0 });
    expect(health.broker.connected).toBe(true);
    expect(health.broker.embedded).toBe(false);
  });

  it('accepts a valid batch and stores it once even when sent twice', async () => {
    const body = JSON.stringify({ readings: [0, 1, 2].map((index) => ({ deviceId: 'api-aq-1', property: 'pm25', value: 30 + index, observedAt: isoSecondsAgo(100 - index) })) });
    const first = await post(body);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, rejected: [] });
    expect((await post(body)).status).toBe(202);
    expect(await storedCount('api-aq-1')).toBe(3);
  });

  it.each([
    { name: 'a wrong type', item: { deviceId: 'api-aq-2', property: 'pm25', value: 'high', observedAt: isoSecondsAgo(5) }, code: 'IOC_ERR_VALIDATION', path: 'readings.1.value' },
    { name: 'an unknown device', item: { deviceId: 'nope-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(5) }, code: 'IOC_ERR_UNKNOWN_DEVICE', path: 'readings.1.deviceId' },
    { name: 'a timestamp far in the future', item: { deviceId: 'api-aq-2', property: 'pm25', value: 1, observedAt: new Date(Date.now() + 3_600_000).toISOString() }, code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE', path: 'readings.1.observedAt' },
    { name: 'a timestamp too old', item: { deviceId: 'api-aq-2', property: 'pm25', value: 1, observedAt: '2001-01-01T00:00:00Z' }, code: 'IOC_ERR_TIMESTAMP_OUT_OF_RANGE', path: 'readings.1.observedAt' },
    { name: 'a property the device does not measure', item: { deviceId: 'api-aq-2', property: 'waterLevelCm', value: 1, observedAt: isoSecondsAgo(5) }, code: 'IOC_ERR_PROPERTY_NOT_CONTROLLED', path: 'readings.1.property' },
    { name: 'an unknown field', item: { deviceId: 'api-aq-2', property: 'pm25', value: 1, observedAt: isoSecondsAgo(5), extra: true }, code: 'IOC_ERR_VALIDATION', path: 'readings.1' },
  ])('rejects $name with a 400 naming the field, and still stores the valid item', async ({ item, code, path: fieldPath }) => {
    const before = await storedCount('api-aq-2');
    const valid = { deviceId: 'api-aq-2', property: 'noiseLAeq', value: 61.5, observedAt: isoSecondsAgo(Math.floor(Math.random() * 1000) + 10) };
    const response = await post(JSON.stringify({ readings: [valid, item] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: Array<{ path: string }> }; accepted: number; rejected: Array<{ index: number; code: string }> };
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1, code })]);
    expect(body.error.issues.map((issue) => issue.path)).toContain(fieldPath);
    expect(await storedCount('api-aq-2')).toBe(before + 1);
  });

  it.each([
    { name: 'malformed JSON', body: '{"readings": [', contentType: 'application/json', status: 400, code: 'IOC_ERR_MALFORMED_JSON' },
    { name: 'a body that is not JSON', body: 'pm25=3', contentType: 'text/plain', status: 415, code: 'IOC_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'an oversized body', body: JSON.stringify({ readings: [{ deviceId: 'api-aq-1', property: 'pm25', value: 1, observedAt: isoSecondsAgo(1), pad: 'x'.repeat(70_000) }] }), contentType: 'application/json', status: 413, code: 'IOC_ERR_PAYLOAD_TOO_LARGE' },
    { name: 'a body without readings', body: '{"values": []}', contentType: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
    { name: 'an empty batch', body: '{"readings": []}', contentType: 'application/json', status: 400, code: 'IOC_ERR_VALIDATION' },
  ])('rejects $name with a clear coded error and keeps running', async ({ body, contentType, status, code }) => {
    const response = await post(body, contentType);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(JSON.stringify(json)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    expect((await staff.fetch(`${system.url}/api/v1/health`)).status).toBe(200);
  });

  it.each([
    { query: 'deviceId=api-aq-1&bucket=weekly', status: 400 },
    { query: 'bucket=minute', status: 400 },
    { query: 'deviceId=api-aq-1&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', status: 400 },
    { query: 'deviceId=api-aq-1&bucket=raw&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', status: 400 },
  ])('rejects a bad history query ($query)', async ({ query, status }) => {
    const response = await staff.fetch(`${system.url}/api/v1/readings/history?${query}`);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_BAD_QUERY');
  });

  it('serves history in buckets', async () => {
    const response = await staff.fetch(`${system.url}/api/v1/readings/history?deviceId=api-aq-1&property=pm25&bucket=raw&from=${Date.now() - 3_600_000}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { points: Array<{ avgValue: number }> };
    expect(body.points.map((point) => point.avgValue)).toEqual([30, 31, 32]);
  });

  it('stores a reading published over MQTT (Mosquitto) and lists devices', async () => {
    const mqttClient = await mqtt.connectAsync(inject('mosquittoUrl'));
    await mqttClient.publishAsync('ioc/v1/sensors/api-aq-2', JSON.stringify([{ property: 'pm25', value: 44, observedAt: isoSecondsAgo(2) }]), { qos: 1 });
    await mqttClient.endAsync();
    await expect.poll(async () => (await client.query(`SELECT value FROM sensor_readings WHERE device_id = 'api-aq-2' AND property = 'pm25'`)).rows.map((row) => row.value), { timeout: 5000 }).toEqual([44]);
    const devices = (await (await staff.fetch(`${system.url}/api/v1/devices`)).json()) as { devices: Device[] };
    expect(devices.devices.map((device) => device.id).sort()).toEqual(['api-aq-1', 'api-aq-2']);
  });

  it('delivers every event after the snapshot exactly once, across a reconnect', async () => {
    const snapshot = (await (await staff.fetch(`${system.url}/api/v1/wall/snapshot`)).json()) as WallSnapshot;
    const received: LiveEvent[] = [];
    let lastId = snapshot.lastEventId;
    const connect = () => {
      const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${system.url}/wall`, { auth: { afterEventId: lastId }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: staff.cookie } });
      socket.on('deltas', (batch: WallDeltaBatch) => {
        expect(batch.afterEventId).toBe(lastId);
        for (const event of batch.events) received.push(event);
        lastId = batch.id;
      });
      return socket;
    };
    const send = async (values: number[]) => {
      const response = await post(JSON.stringify({ readings: values.map((value) => ({ deviceId: 'api-aq-1', property: 'noiseLAeq', value, observedAt: isoSecondsAgo(300 - value) })) }));
      expect(response.status).toBe(202);
    };
    const valuesOf = () => received.flatMap((event) => (event.type === 'sensor.readings' ? event.readings.map((reading) => reading.value) : []));

    let socket = connect();
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    for (const value of [1, 2, 3]) await send([value]);
    await expect.poll(valuesOf, { timeout: 5000 }).toEqual([1, 2, 3]);
    socket.disconnect();
    for (const value of [4, 5]) await send([value]); // while the client is away
    socket = connect();
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    await send([6]);
    await expect.poll(valuesOf, { timeout: 5000 }).toEqual([1, 2, 3, 4, 5, 6]);
    const sequences = received.map((event) => parseEventId(event.id)?.sequence ?? -1);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    socket.disconnect();
  });

  it('asks a client with an id from another node or run to resync', async () => {
    const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${system.url}/wall`, { auth: { afterEventId: 'zzz0:5' }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: staff.cookie } });
    const resync = await new Promise<{ reason: string }>((resolve) => socket.on('resync', resolve));
    expect(resync.reason).toBe('unknownEpoch');
    socket.disconnect();
  });
});
