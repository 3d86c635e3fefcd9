import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type CameraLineCounts, type WallClientToServerEvents, type WallServerToClientEvents, type WallSnapshot } from '@ioc/schemas';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Live camera counts on the wall, through the whole system: a camera pipeline counts motorbikes on real footage,
 * its counts go over the bus and the wall's socket.io link, and the built wall in Chromium draws them beside the
 * camera on the map and in the camera strip. The wall's 5-second poll of /api/v1/cameras is frozen at "nothing
 * counted" by the browser, so every figure on screen can only have come over the socket.
 */
const CAMERA_ID = 'cam-wall-counts';
const total = (counts: CameraLineCounts) => Object.values(counts).reduce((sum, byType) => sum + Object.values(byType).reduce((lineSum, entry) => lineSum + (entry?.forward ?? 0) + (entry?.backward ?? 0), 0), 0);

describe.skipIf(sharedDataMissingReason !== undefined)(`live camera counts on the wall ${sharedDataMissingReason ?? ''}`, () => {
  let system: RunningSystem | undefined;
  let staff: SignedIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'wall_camera_counts');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-wall-counts-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        demo: { enabled: false },
        live: { batchIntervalMs: 100 },
        log: { level: 'silent' },
        cameras: [
          {
            id: CAMERA_ID,
            name: 'Camera ngã tư kiểm thử',
            source: { url: path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'), loop: true, realtime: true },
            analysisFps: 5,
            anchor: 'center',
            lines: [{ id: 'approach', points: [[0, 560 / 720], [1, 560 / 720]] }],
            // At the centre of the default site, so the camera is on screen.
            location: { type: 'Point', coordinates: [103.02, 21.385] },
          },
        ],
      },
      { DATABASE_URL: database.url },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'operator');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('draws the counts pushed over the socket beside the camera on the map and in the camera strip', async () => {
    const url = system?.url as string;
    // The test's own socket sees what the wall is sent: the latest totals are what the wall must show.
    const snapshot = (await (await staff.fetch(`${url}/api/v1/wall/snapshot`)).json()) as WallSnapshot;
    let latestTotal = 0;
    const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${url}/wall`, { auth: { afterEventId: snapshot.lastEventId }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: staff.cookie } });
    socket.on('deltas', (batch) => {
      for (const event of batch.events) if (event.type === 'camera.counts' && event.counts.cameraId === CAMERA_ID) latestTotal = Math.max(latestTotal, total(event.counts.totals));
    });
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, url, staff);
    try {
      const page = await browser.context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.route('**/api/v1/cameras', (route) =>
        route.fulfill({
          json: { cameras: [{ id: CAMERA_ID, name: 'Camera ngã tư kiểm thử', state: 'online', location: { type: 'Point', coordinates: [103.02, 21.385] }, analysisFps: 5, analysedFps: 5, inferenceMs: 40, counts: {} }] },
        }),
      );
      await page.goto(`${url}/?scene=overview&rotate=0`, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { __IOC_WALL__?: { ready: boolean } }).__IOC_WALL__?.ready === true, undefined, { timeout: 60_000 });

      // The clip loops every 7 s with motorbikes crossing the line; wait for a few of them.
      await expect.poll(() => latestTotal, { timeout: 45_000, interval: 250 }).toBeGreaterThanOrEqual(2);
      const stripCount = () => page.evaluate((id) => Number(document.querySelector(`[data-camera-id="${id}"] [data-camera-count]`)?.getAttribute('data-camera-count') ?? 0), CAMERA_ID);
      const mapCount = () => page.evaluate((id) => (window as unknown as { __IOC_WALL__: { pickCameraAt(id: string): { vehicles?: number } | null } }).__IOC_WALL__.pickCameraAt(id)?.vehicles ?? 0, CAMERA_ID);
      // Counts only grow; the wall catches up with the socket within a couple of batches.
      await expect.poll(async () => (await stripCount()) >= 2 && (await stripCount()) >= latestTotal - 1, { timeout: 10_000, interval: 100 }).toBe(true);
      await expect.poll(async () => (await mapCount()) >= 2 && (await mapCount()) >= latestTotal - 1, { timeout: 10_000, interval: 100 }).toBe(true);
      const caption = await page.locator(`[data-camera-id="${CAMERA_ID}"] .camera-count`).innerText();
      expect(caption).toMatch(/^\d[\d.]* xe đã đếm$/);
      mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'wall-camera-counts-1920x1080.png') });
      expect(pageErrors).toEqual([]);
    } finally {
      socket.disconnect();
      await browser.close();
    }
  }, 180_000);
});
