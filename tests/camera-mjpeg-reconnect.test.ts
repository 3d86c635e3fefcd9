import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cameraConfigSchema } from '@ioc/schemas';
import { TrafficFlowRepository, createPool, migrate } from '@ioc/store';
import { CameraPipeline, ModelCatalog } from '@ioc/ingest';
import { createTestDatabase } from './setup/database';
import { MjpegCamera } from './setup/mjpeg-camera';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * An IP camera as many cities have them: an HTTP MJPEG stream (setup/mjpeg-camera.ts, real footage). The camera
 * pipeline goes online, goes offline when the camera disappears, and comes back by itself when it returns.
 */
describe.skipIf(sharedDataMissingReason !== undefined)(`HTTP MJPEG camera that drops and returns ${sharedDataMissingReason ?? ''}`, () => {
  const camera = new MjpegCamera(path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'));
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;
  let pipeline: CameraPipeline;

  beforeAll(async () => {
    await camera.start();
    database = await createTestDatabase(inject('databaseAdminUrl'), 'camera_mjpeg');
    pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    const catalog = ModelCatalog.load(path.resolve(import.meta.dirname, '../models'));
    pipeline = new CameraPipeline({
      camera: cameraConfigSchema.parse({
        id: 'cam-mjpeg',
        name: 'Camera MJPEG',
        // Credentials in the URL: they must never reach a log line or an error the API shows.
        source: { url: `http://viewer:S3cret@127.0.0.1:${camera.port}/video.mjpg` },
        analysisFps: 2,
        lines: [{ id: 'l', points: [[0, 0.78], [1, 0.78]] }],
      }),
      model: catalog.spec('nanodet-416'),
      flows: new TrafficFlowRepository(pool),
      logger: pino({ level: 'silent' }),
      backoffMs: { initial: 200, max: 1000 },
    });
    pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
    await camera.stop();
    await pool?.end();
    await database?.drop();
  });

  it('goes online, offline when the camera disappears, and online again when it returns', async () => {
    await expect.poll(() => pipeline.state, { timeout: 30_000, interval: 200 }).toBe('online');
    const analysedBefore = pipeline.status().framesAnalysed;
    expect(analysedBefore).toBeGreaterThan(0);

    await camera.stop();
    await expect.poll(() => pipeline.state, { timeout: 20_000, interval: 200 }).toBe('offline');
    const offline = pipeline.status();
    expect(offline.lastError ?? '').not.toContain('S3cret');

    await camera.start();
    await expect.poll(() => pipeline.state, { timeout: 30_000, interval: 200 }).toBe('online');
    await expect.poll(() => pipeline.status().framesAnalysed, { timeout: 20_000, interval: 200 }).toBeGreaterThan(analysedBefore);
    expect(pipeline.status().reconnects).toBeGreaterThanOrEqual(1);
  });
});
