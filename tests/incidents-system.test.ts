import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Alert, type AlertRecord, type Device, type TrafficFlowObserved } from '@ioc/schemas';
import { AlertRepository, DeviceRepository, LocalBus, MqttBus, createPool, migrate } from '@ioc/store';
import { IncidentEngine } from '@ioc/ingest';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * Incidents the system raises, through the whole system against real PostgreSQL and Mosquitto: a PM2.5
 * threshold raised once while it lasts and cleared, a flood gauge, a camera going offline and back, a
 * silent sensor found by the periodic check, acknowledgement over HTTP; and congestion plus cross-engine
 * deduplication on the store's unique index.
 */
const device = (id: string, category: Device['category'], controlledProperty: Device['controlledProperty'], reportIntervalSeconds = 60): Device => ({
  id,
  type: 'Device',
  name: `Thiết bị ${id}`,
  category,
  controlledProperty,
  location: { type: 'Point', coordinates: [103.02, 21.39] },
  districtCode: '094',
  deviceState: 'ok',
  reportIntervalSeconds,
});
const DEVICES = [
  device('inc-aq-1', 'sensor', ['pm25', 'pm10']),
  device('inc-flood-1', 'sensor', ['waterLevelCm']),
  device('inc-quiet-1', 'sensor', ['noiseLAeq'], 1),
  device('inc-cam-1', 'camera', []),
];

describe('incidents through the whole system', () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts); machine routes take an API key. */
  let staff: SignedIn;
  let machineKey: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let client: pg.Client;
  const announced: Alert[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'incidents_system');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    await new DeviceRepository(pool).upsert(DEVICES);
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-incidents-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'admin');
    machineKey = await createTestApiKey(database.url, ['ingest', 'dossiers']);
    system.bus.subscribe((message) => {
      if (message.kind === 'alert') announced.push(message.alert);
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const send = async (deviceId: string, property: string, value: number, secondsAgo: number) => {
    const response = await fetch(`${system.url}/api/v1/ingest/readings`, {
      method: 'POST',
      headers: { 'x-api-key': machineKey, 'content-type': 'application/json' },
      body: JSON.stringify({ readings: [{ deviceId, property, value, observedAt: new Date(Date.now() - secondsAgo * 1000).toISOString() }] }),
    });
    expect(response.status).toBe(202);
  };
  const alerts = async (query: string) => ((await (await staff.fetch(`${system.url}/api/v1/alerts?${query}`)).json()) as { alerts: AlertRecord[] }).alerts;
  const rowsFor = async (deviceId: string, rule: string) => (await client.query('SELECT id, closed_at FROM alerts WHERE device_id = $1 AND rule = $2 ORDER BY date_issued', [deviceId, rule])).rows;

  it('raises one PM2.5 alert while the air stays bad, clears it when it recovers, and an operator acknowledges it', async () => {
    const script = [40, 85, 95, 170, 90, 75, 60];
    for (const [index, value] of script.entries()) {
      await send('inc-aq-1', 'pm25', value, 60 - index * 5);
      if (index === 4) {
        // Still bad after four readings: exactly one open alert, escalated to critical by 170 µg/m³.
        await expect.poll(async () => (await alerts('open=true&deviceId=inc-aq-1')).map((record) => [record.rule, record.alert.severity])).toEqual([['pm25Threshold', 'critical']]);
      }
    }
    // 75 is above the clear level (72); 60 clears it.
    await expect.poll(async () => (await rowsFor('inc-aq-1', 'pm25Threshold')).map((row) => row.closed_at !== null)).toEqual([true]);
    const [record] = await alerts('deviceId=inc-aq-1');
    expect(record).toMatchObject({ status: 'closed', rule: 'pm25Threshold', alert: { type: 'Alert', category: 'environment', subCategory: 'airPollution', alertSource: 'inc-aq-1', districtCode: '094', validTo: expect.any(String) } });
    expect(await alerts('open=true&deviceId=inc-aq-1')).toEqual([]);
    // The wall heard: raised (high), escalated (critical), cleared (validTo).
    const forDevice = announced.filter((alert) => alert.alertSource === 'inc-aq-1');
    expect(forDevice.map((alert) => [alert.severity, alert.validTo === undefined ? 'open' : 'closed'])).toEqual([
      ['high', 'open'],
      ['critical', 'open'],
      ['critical', 'closed'],
    ]);

    const id = (record as AlertRecord).id;
    const ack = await staff.fetch(`${system.url}/api/v1/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: 'trucban.hoa', note: 'Đã báo Sở TN&MT, kiểm tra nguồn đốt rơm rạ.' }) });
    expect(ack.status).toBe(200);
    expect(((await ack.json()) as { alert: AlertRecord }).alert).toMatchObject({ acknowledgedBy: 'trucban.hoa', acknowledgementNote: expect.stringContaining('Sở TN&MT'), acknowledgedAt: expect.any(String) });
    expect((await alerts('acknowledged=true')).map((entry) => entry.id)).toContain(id);
    const noNote = await staff.fetch(`${system.url}/api/v1/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: 'x' }) });
    expect(noNote.status).toBe(400);
    expect(((await noNote.json()) as { error: { issues: Array<{ path: string }> } }).error.issues.map((issue) => issue.path)).toContain('note');
    expect((await staff.fetch(`${system.url}/api/v1/alerts/nope/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: 'x', note: 'y' }) })).status).toBe(404);
  });

  it('raises a flood alert at 15 cm with severity by depth, listed as an open incident for the wall', async () => {
    await send('inc-flood-1', 'waterLevelCm', 8, 30);
    await send('inc-flood-1', 'waterLevelCm', 33, 20);
    await expect.poll(async () => (await alerts('open=true&subCategory=flood')).map((record) => record.alert.severity)).toEqual(['high']);
    const incidents = ((await (await staff.fetch(`${system.url}/api/v1/incidents`)).json()) as { incidents: Array<Record<string, unknown>> }).incidents;
    expect(incidents).toContainEqual(expect.objectContaining({ rule: 'floodWaterLevel', severity: 'high', status: 'open', deviceId: 'inc-flood-1', location: { type: 'Point', coordinates: [103.02, 21.39] }, openedAt: expect.any(String) }));
  });

  it('raises camera offline from its state change on the bus and clears it when the camera is back', async () => {
    system.bus.publish({ kind: 'deviceState', change: { deviceId: 'inc-cam-1', deviceState: 'offline', changedAtMs: Date.now() } });
    system.bus.publish({ kind: 'deviceState', change: { deviceId: 'inc-cam-1', deviceState: 'offline', changedAtMs: Date.now() } });
    await expect.poll(async () => (await alerts('open=true&deviceId=inc-cam-1')).map((record) => [record.rule, record.alert.severity])).toEqual([['cameraOffline', 'high']]);
    system.bus.publish({ kind: 'deviceState', change: { deviceId: 'inc-cam-1', deviceState: 'ok', changedAtMs: Date.now() } });
    await expect.poll(async () => (await rowsFor('inc-cam-1', 'cameraOffline')).map((row) => row.closed_at !== null)).toEqual([true]);
  });

  it('finds a sensor silent for 3× its report interval (periodic check, every 15 s) and closes it with its next reading', async () => {
    await expect.poll(async () => (await alerts('open=true&deviceId=inc-quiet-1')).map((record) => record.rule), { timeout: 40_000, interval: 500 }).toEqual(['deviceOffline']);
    // The other sensors reported recently enough (60 s interval): not offline.
    expect((await alerts('open=true&subCategory=deviceOffline')).map((record) => record.deviceId)).toEqual(['inc-quiet-1']);
    await send('inc-quiet-1', 'noiseLAeq', 62, 0);
    await expect.poll(async () => (await rowsFor('inc-quiet-1', 'deviceOffline')).map((row) => row.closed_at !== null)).toEqual([true]);
  }, 60_000);
});

describe('congestion and deduplication against the real database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'incidents_engine');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, pino({ level: 'silent' }));
    await new DeviceRepository(pool).upsert([device('inc-cam-2', 'camera', [])]);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const minuteRows = (minuteStartMs: number, vehicles: number): TrafficFlowObserved[] => [
    { type: 'TrafficFlowObserved', refDevice: 'inc-cam-2', laneId: 'line-1', laneDirection: 'forward', vehicleType: 'anyVehicle', dateObservedFrom: new Date(minuteStartMs).toISOString(), dateObservedTo: new Date(minuteStartMs + 60_000).toISOString(), intensity: vehicles },
  ];

  it('two engines on one database open one congestion alert; it clears after two normal minutes', async () => {
    const engines = [0, 1].map(() => new IncidentEngine({ alerts: new AlertRepository(pool), bus: new LocalBus(), devices: new DeviceRepository(pool), logger: pino({ level: 'silent' }), offlineCheckIntervalMs: 3_600_000 }));
    for (const engine of engines) await engine.start();
    const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const counts = [20, 70, 75, 80, 10, 12];
    counts.forEach((vehicles, index) => {
      for (const engine of engines) engine.observeTrafficFlows(minuteRows(startMs + index * 60_000, vehicles));
    });
    await Promise.all(engines.map((engine) => engine.idle()));
    const rows = (await pool.query('SELECT rule, severity, closed_at, date_issued, document FROM alerts WHERE device_id = $1', ['inc-cam-2'])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rule: 'congestion', severity: 'medium', document: { category: 'traffic', subCategory: 'trafficJam' } });
    expect((rows[0].date_issued as Date).getTime()).toBe(startMs + 3 * 60_000);
    expect((rows[0].closed_at as Date).getTime()).toBe(startMs + 6 * 60_000);
    for (const engine of engines) await engine.stop();
  });

  it('in split mode, an engine on one worker opens congestion from minutes another worker publishes on the MQTT bus', async () => {
    const logger = pino({ level: 'silent' });
    const cameraWorker = new MqttBus(inject('mosquittoUrl'), logger);
    const siteWorker = new MqttBus(inject('mosquittoUrl'), logger);
    const engine = new IncidentEngine({ alerts: new AlertRepository(pool), bus: siteWorker, devices: new DeviceRepository(pool), logger, offlineCheckIntervalMs: 3_600_000 });
    try {
      await engine.start((handler) => siteWorker.subscribe(handler));
      await Promise.all([cameraWorker.subscribed, siteWorker.subscribed]);
      const rowsFor = (minuteStartMs: number, vehicles: number) => minuteRows(minuteStartMs, vehicles).map((row) => ({ ...row, refDevice: 'inc-cam-3' }));
      await new DeviceRepository(pool).upsert([device('inc-cam-3', 'camera', [])]);
      await engine.refreshDevices();
      const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
      [20, 70, 75, 80].forEach((vehicles, index) => cameraWorker.publish({ kind: 'trafficFlows', rows: rowsFor(startMs + index * 60_000, vehicles) }));
      await expect
        .poll(async () => (await pool.query("SELECT rule, date_issued FROM alerts WHERE device_id = 'inc-cam-3' AND closed_at IS NULL")).rows.map((row: { rule: string; date_issued: Date }) => `${row.rule}@${row.date_issued.getTime() - startMs}`), { timeout: 15_000, interval: 200 })
        .toEqual([`congestion@${3 * 60_000}`]);
      // Two normal minutes from the camera's worker close it.
      [10, 12].forEach((vehicles, index) => cameraWorker.publish({ kind: 'trafficFlows', rows: rowsFor(startMs + (4 + index) * 60_000, vehicles) }));
      await expect
        .poll(async () => (await pool.query("SELECT closed_at FROM alerts WHERE device_id = 'inc-cam-3'")).rows.map((row: { closed_at: Date | null }) => (row.closed_at ? row.closed_at.getTime() - startMs : null)), { timeout: 15_000, interval: 200 })
        .toEqual([6 * 60_000]);
    } finally {
      await engine.stop();
      await Promise.all([cameraWorker.close(), siteWorker.close()]);
    }
  });

  it('a restarted engine resumes the incidents left open instead of opening them again', async () => {
    const repository = new AlertRepository(pool);
    const first = new IncidentEngine({ alerts: repository, bus: new LocalBus(), devices: new DeviceRepository(pool), logger: pino({ level: 'silent' }) });
    await first.start();
    first.handle({ kind: 'deviceState', change: { deviceId: 'inc-cam-2', deviceState: 'offline', changedAtMs: Date.now() } });
    await first.stop();
    const second = new IncidentEngine({ alerts: repository, bus: new LocalBus(), devices: new DeviceRepository(pool), logger: pino({ level: 'silent' }) });
    await second.start();
    expect(second.openCount).toBe(1);
    second.handle({ kind: 'deviceState', change: { deviceId: 'inc-cam-2', deviceState: 'offline', changedAtMs: Date.now() } });
    second.handle({ kind: 'deviceState', change: { deviceId: 'inc-cam-2', deviceState: 'ok', changedAtMs: Date.now() } });
    await second.stop();
    const rows = (await pool.query(`SELECT closed_at FROM alerts WHERE device_id = 'inc-cam-2' AND rule = 'cameraOffline'`)).rows;
    expect(rows.map((row) => row.closed_at !== null)).toEqual([true]);
  });
});
