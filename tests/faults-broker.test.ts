import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceRepository, createPool, migrate } from '@ioc/store';
import { createTestDatabase } from './setup/database';
import { startOwnMosquitto, type OwnMosquitto } from './setup/own-mosquitto';
import { spawnIoc, type IocProcess } from './setup/processes';
import { faultTestSystemConfig, sleep, testStation } from './setup/stations';

/**
 * Fault: the MQTT broker crashes (SIGKILL) and comes back 5 s later on the same port, while a sensor publishes.
 * A real `ioc start` process subscribes on its persistent session (a client id stable for its installation);
 * the sensor keeps publishing with QoS 1 and its client resends what the broker had not acknowledged. Counted:
 * every reading the broker acknowledged (PUBACK) is stored exactly once, readings flow again after the restart,
 * and the system reconnected and resubscribed without a restart of its own.
 */
const OUTAGE_MS = 5_000;
const READINGS_PER_MESSAGE = 5;
const runId = Date.now().toString(36);
const DEVICE = `fault-broker-${runId}`;

const station = testStation(DEVICE, 'Trạm thử sự cố broker', 'noiseLAeq', [107.08, 20.95]);

describe('faults: MQTT broker killed and restarted', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let broker: OwnMosquitto;
  let dataDir: string;
  let ioc: IocProcess;
  let sensor: MqttClient;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'fault_broker');
    const pool = createPool(database.url, { max: 2 });
    try {
      await migrate(pool, pino({ level: 'silent' }));
      await new DeviceRepository(pool).upsert([station]);
    } finally {
      await pool.end();
    }
    broker = await startOwnMosquitto('fault-broker');
    dataDir = mkdtempSync(path.join(tmpdir(), 'ioc-fault-broker-'));
    ioc = spawnIoc('start', {
      name: 'fault-broker',
      config: faultTestSystemConfig(dataDir),
      env: { DATABASE_URL: database.url, MQTT_URL: broker.url },
    });
    await ioc.waitForUrl(120_000);
    sensor = await mqtt.connectAsync(broker.url, { clientId: `fault-broker-sensor-${runId}`, reconnectPeriod: 250, connectTimeout: 2000 });
  }, 180_000);

  afterAll(async () => {
    sensor?.end(true);
    if (ioc?.running) await ioc.kill('SIGKILL');
    await broker?.remove();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every acknowledged reading once, and the system resubscribes by itself', async () => {
    const observedBaseMs = Date.now() - 3_600_000;
    const acknowledged: number[] = [];
    let sent = 0;
    let sending = true;
    let outage = false;
    let acknowledgedDuringOutage = 0;
    const publisher = (async () => {
      let next = 1;
      while (sending) {
        const numbers = Array.from({ length: READINGS_PER_MESSAGE }, (_, index) => next + index);
        next += READINGS_PER_MESSAGE;
        const payload = JSON.stringify(numbers.map((number) => ({ property: 'noiseLAeq', value: 40 + (number % 50), observedAt: new Date(observedBaseMs + number * 10).toISOString() })));
        sent += numbers.length;
        // Resolves on PUBACK; while the broker is away mqtt.js keeps the message and resends it once reconnected.
        await sensor.publishAsync(`ioc/v1/sensors/${DEVICE}`, payload, { qos: 1 });
        acknowledged.push(...numbers);
        // Acknowledgements read just after the kill still count here: the broker sent them before it died.
        if (outage) acknowledgedDuringOutage += numbers.length;
        await sleep(20);
      }
    })();

    // The broker's autosave (1 s) has written the system's subscription before the crash.
    await sleep(4_000);
    const subscribedBefore = ioc.lines.filter((line) => line.msg === 'subscribed to sensor readings').length;
    await broker.kill();
    outage = true;
    const killedAtMs = Date.now();
    await sleep(OUTAGE_MS);
    await broker.start();
    outage = false;
    const acknowledgedAtRestart = acknowledged.length;
    await sleep(6_000);
    sending = false;
    await publisher;
    const downSeconds = (Date.now() - killedAtMs) / 1000;

    const pool = createPool(database.url, { max: 2 });
    const stored = async () =>
      (
        await pool.query<{ number: number }>(
          'SELECT round((extract(epoch FROM observed_at) * 1000 - $2) / 10)::int AS number FROM sensor_readings WHERE device_id = $1',
          [DEVICE, observedBaseMs],
        )
      ).rows.map((row) => row.number);
    await expect.poll(async () => (await stored()).length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(acknowledged.length);
    const rows = await stored();
    await pool.end();
    const storedSet = new Set(rows);
    const acknowledgedSet = new Set(acknowledged);
    const report = {
      downSeconds,
      sent,
      acknowledged: acknowledged.length,
      acknowledgedDuringOutage,
      acknowledgedAfterRestart: acknowledged.length - acknowledgedAtRestart,
      stored: rows.length,
      missing: acknowledged.filter((number) => !storedSet.has(number)).length,
      duplicates: rows.length - storedSet.size,
      unexpected: rows.filter((number) => !acknowledgedSet.has(number)).length,
      subscriptions: ioc.lines.filter((line) => line.msg === 'subscribed to sensor readings').length,
    };
    console.info(`broker restart: ${JSON.stringify(report)}`);

    expect(report.missing, 'acknowledged readings missing').toBe(0);
    expect(report.duplicates).toBe(0);
    // A reading is stored only if the sensor sent it; its PUBACK may have been lost with the broker (sent, not acknowledged).
    expect(report.unexpected).toBeLessThanOrEqual(READINGS_PER_MESSAGE);
    expect(report.acknowledgedAfterRestart, 'the sensor resumes after the restart').toBeGreaterThan(500);
    expect(report.subscriptions, 'the system subscribed again after the restart').toBeGreaterThan(subscribedBefore);
    expect(ioc.running).toBe(true);
  }, 180_000);
});
