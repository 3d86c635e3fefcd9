import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Device } from '@ioc/schemas';
import { DeviceRepository, createPool, migrate } from '@ioc/store';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';

/**
 * End to end, as an operator sees it: the whole system (embedded MQTT broker, real PostgreSQL, demo feeds),
 * the built wall in Debian's Chromium; a reading published over MQTT must appear on the map and in the chart
 * within 2 s.
 */
const TEST_DEVICE: Device = {
  id: 'e2e-aq-1',
  type: 'Device',
  name: 'Trạm kiểm thử Mường Thanh',
  category: 'sensor',
  controlledProperty: ['pm25', 'pm10'],
  location: { type: 'Point', coordinates: [103.02, 21.39] },
  deviceState: 'ok',
  reportIntervalSeconds: 60,
};

describe('wall end to end', () => {
  let system: RunningSystem;
  let staff: SignedIn;
  let dropDatabase: () => Promise<void>;
  let dataDirectory: string;

  beforeAll(async () => {
    const database = await createTestDatabase(inject('databaseAdminUrl'), 'wall_e2e');
    dropDatabase = database.drop;
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    await new DeviceRepository(pool).upsert([TEST_DEVICE]);
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-e2e-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        database: { url: database.url },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        demo: { enabled: true, backfillMinutes: 30 },
        live: { batchIntervalMs: 100 },
        log: { level: 'warn' },
      },
      {},
    );
    system = await startSystem(config, pino({ level: 'warn' }));
    staff = await signInAs(system.url, database.url, 'operator');
  });

  afterAll(async () => {
    await system?.stop();
    await dropDatabase?.();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('shows a reading published over MQTT on the map and in the chart within 2 s', async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, staff);
    try {
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(system.url, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { __IOC_WALL__?: { ready: boolean } }).__IOC_WALL__?.ready === true, undefined, { timeout: 60_000 });
      await expect.poll(() => page.evaluate(() => (window as unknown as { __IOC_WALL__: { connection: string } }).__IOC_WALL__.connection), { timeout: 10_000 }).toBe('live');

      const value = 187.5;
      const client = await mqtt.connectAsync(system.brokerUrl);
      const publishedAtMs = Date.now();
      await client.publishAsync(`ioc/v1/sensors/${TEST_DEVICE.id}`, JSON.stringify({ property: 'pm25', value, observedAt: new Date().toISOString() }), { qos: 1 });
      await client.endAsync();

      await page.waitForFunction(
        ([deviceId, expected]) => {
          const wall = (window as unknown as { __IOC_WALL__: { pickDeviceAt(id: string): { id: string; value?: number } | null; getChartPoints(id: string, property: string): Array<[number, number]> } }).__IOC_WALL__;
          const picked = wall.pickDeviceAt(deviceId as string);
          const points = wall.getChartPoints(deviceId as string, 'pm25');
          return picked?.id === deviceId && picked.value === expected && points.some((point) => point[1] === expected);
        },
        [TEST_DEVICE.id, value] as const,
        { timeout: 2000, polling: 50 },
      );
      const elapsedMs = Date.now() - publishedAtMs;
      expect(elapsedMs).toBeLessThan(2000);

      mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
      const screenshotPath = path.join(ARTIFACTS_DIRECTORY, 'wall-e2e-1920x1080.png');
      await page.screenshot({ path: screenshotPath });
      expect(statSync(screenshotPath).size).toBeGreaterThan(10_000);
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
