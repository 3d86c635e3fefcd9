import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type CameraSummary, type LiveEvent, type WallClientToServerEvents, type WallDeltaBatch, type WallServerToClientEvents, type WallSnapshot } from '@ioc/schemas';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { signInAs, type SignedIn } from './setup/accounts';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Cameras inside the running system: a camera playing real footage in a loop goes online, serves an annotated
 * JPEG snapshot, and its per-minute counts reach PostgreSQL; a camera whose file does not exist is reported
 * offline with its reason and does not disturb the other one. Its health and live counts reach a wall client
 * over socket.io as they happen.
 */
describe.skipIf(sharedDataMissingReason !== undefined)(`cameras in the system ${sharedDataMissingReason ?? ''}`, () => {
  let system: RunningSystem | undefined;
  let staff: SignedIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'cameras_system');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-cameras-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        demo: { enabled: false },
        log: { level: 'silent' },
        vision: { snapshotIntervalSeconds: 1 },
        cameras: [
          {
            id: 'cam-hanoi-pole',
            name: 'Camera cột đèn Hà Nội',
            source: { url: path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'), loop: true, realtime: true },
            analysisFps: 5,
            anchor: 'center',
            lines: [{ id: 'approach', points: [[0, 560 / 720], [1, 560 / 720]] }],
            location: { type: 'Point', coordinates: [105.85, 21.03] },
          },
          {
            id: 'cam-missing',
            name: 'Camera không có tín hiệu',
            source: { url: path.join(dataDirectory, 'no-such-video.mp4') },
            location: { type: 'Point', coordinates: [105.86, 21.04] },
          },
        ],
      },
      { DATABASE_URL: database.url },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    staff = await signInAs(system.url, database.url, 'admin');
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('brings the camera online, reports the broken one offline with its reason', async () => {
    const cameras = async () => ((await (await staff.fetch(`${system?.url}/api/v1/cameras`)).json()) as { cameras: Array<{ id: string; state: string; lastError?: string; framesAnalysed?: number }> }).cameras;
    await expect.poll(async () => (await cameras()).find((camera) => camera.id === 'cam-hanoi-pole')?.state, { timeout: 30_000, interval: 500 }).toBe('online');
    await expect.poll(async () => (await cameras()).find((camera) => camera.id === 'cam-missing')?.state, { timeout: 30_000, interval: 500 }).toBe('offline');
    const missing = (await cameras()).find((camera) => camera.id === 'cam-missing');
    expect(missing?.lastError).toMatch(/Cannot open video/);
  });

  it('pushes the camera health and live counts to a wall client over socket.io, and lists its health', async () => {
    const url = system?.url as string;
    const snapshot = (await (await staff.fetch(`${url}/api/v1/wall/snapshot`)).json()) as WallSnapshot;
    const events: LiveEvent[] = [];
    let lastId = snapshot.lastEventId;
    const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${url}/wall`, { auth: { afterEventId: lastId }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: staff.cookie } });
    socket.on('deltas', (batch: WallDeltaBatch) => {
      expect(batch.afterEventId).toBe(lastId);
      events.push(...batch.events);
      lastId = batch.id;
    });
    const total = (counts: CameraSummary['counts']) => Object.values(counts).reduce((sum, byType) => sum + Object.values(byType).reduce((lineSum, entry) => lineSum + (entry?.forward ?? 0) + (entry?.backward ?? 0), 0), 0);
    const countsEvents = () => events.flatMap((event) => (event.type === 'camera.counts' && event.counts.cameraId === 'cam-hanoi-pole' ? [event.counts] : []));
    const healthEvents = () => events.flatMap((event) => (event.type === 'camera.health' && event.health.cameraId === 'cam-hanoi-pole' ? [event.health] : []));
    try {
      // The clip loops every 7 s with motorbikes crossing the line; health goes out every 5 s.
      await expect.poll(() => countsEvents().length, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => healthEvents().length, { timeout: 15_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    } finally {
      socket.disconnect();
    }
    const pushed = countsEvents();
    for (const counts of pushed) {
      expect(total(counts.delta)).toBeGreaterThan(0);
      expect(Object.keys(counts.totals)).toEqual(['approach']);
      expect(counts.toMs).toBeGreaterThanOrEqual(counts.fromMs);
    }
    // Totals only grow, by at least each message's delta.
    for (let index = 1; index < pushed.length; index += 1) {
      expect(total((pushed[index] as (typeof pushed)[number]).totals)).toBeGreaterThanOrEqual(total((pushed[index - 1] as (typeof pushed)[number]).totals) + total((pushed[index] as (typeof pushed)[number]).delta));
    }
    const health = healthEvents().at(-1);
    expect(health).toMatchObject({ state: 'online', deviceState: 'ok', analysisFps: 5 });
    expect(health?.framesAnalysed).toBeGreaterThan(0);
    expect(health?.inferenceMs).toBeGreaterThan(0);
    expect(health?.lastFrameAtMs).toBeGreaterThan(Date.now() - 60_000);

    const listed = ((await (await staff.fetch(`${url}/api/v1/cameras`)).json()) as { cameras: CameraSummary[] }).cameras;
    const camera = listed.find((entry) => entry.id === 'cam-hanoi-pole');
    expect(camera).toMatchObject({ state: 'online', deviceState: 'ok', analysisFps: 5 });
    expect(camera?.analysedFps).toBeGreaterThan(0);
    expect(camera?.framesAnalysed).toBeGreaterThan(0);
    expect(total(camera?.counts ?? {})).toBeGreaterThanOrEqual(total((pushed.at(-1) as (typeof pushed)[number]).totals));
    expect(listed.find((entry) => entry.id === 'cam-missing')).toMatchObject({ state: 'offline', deviceState: 'offline' });
  });

  it('serves an annotated JPEG snapshot, and a clear 404 for a camera without one', async () => {
    await expect
      .poll(async () => (await staff.fetch(`${system?.url}/api/v1/cameras/cam-hanoi-pole/snapshot.jpg`)).status, { timeout: 30_000, interval: 500 })
      .toBe(200);
    const response = await staff.fetch(`${system?.url}/api/v1/cameras/cam-hanoi-pole/snapshot.jpg`);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    expect(bytes.length).toBeGreaterThan(10_000);
    const missing = await staff.fetch(`${system?.url}/api/v1/cameras/cam-missing/snapshot.jpg`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_NOT_FOUND');
  });

  it('stores per-minute TrafficFlowObserved rows when it stops, and the camera as a Device', async () => {
    // Let a few motorbikes cross (the clip loops every 7 s), then stop: the open minute is closed and written.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await system?.stop();
    system = undefined;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const flows = await client.query<{ lane_id: string; vehicle_class: string; intensity: number }>(
        "SELECT lane_id, vehicle_class, intensity FROM traffic_flow_observed WHERE device_id = 'cam-hanoi-pole'",
      );
      expect(flows.rows.length).toBeGreaterThan(0);
      expect(new Set(flows.rows.map((row) => row.lane_id))).toEqual(new Set(['approach']));
      expect(flows.rows.some((row) => row.vehicle_class === 'anyVehicle')).toBe(true);
      const devices = await client.query<{ id: string; category: string }>("SELECT id, category FROM devices WHERE category = 'camera' ORDER BY id");
      expect(devices.rows.map((row) => row.id)).toContain('cam-hanoi-pole');
    } finally {
      await client.end();
    }
  });
});
