import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import pino, { type Logger } from 'pino';
import { cameraConfigSchema, type CameraConfig } from '@ioc/schemas';
import { TrafficFlowRepository, ViolationRepository, type Bus, type HashedFileStore } from '@ioc/store';
import { CameraPipeline, ModelCatalog, PlateReader, type PlateSightingSink } from '@ioc/ingest';
import { SHARED_DATA_DIRECTORY } from './shared-data';

/**
 * The Hà Nội pole camera (../shared/data/video/vn-hanoi-pole-intersection.mp4: through signal red all clip,
 * three motorbikes go straight across on red near frames 2, 40 and 60) played once through the real live
 * pipeline with violation rules, evidence and plate reading, into `pool` and announced on `bus`, as a running
 * system does. Every frame is analysed (`realtime: false`, the source's own rate).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const POLE_SOURCE_FPS = 1065 / 53;

export function poleCamera(overrides: Partial<CameraConfig> = {}): CameraConfig {
  const fixture = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/cameras/vn-hanoi-pole-intersection.json'), 'utf8')) as Record<string, unknown>;
  return cameraConfigSchema.parse({
    ...fixture,
    id: 'cam-hanoi-pole',
    source: { url: path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'), realtime: false, loop: false },
    analysisFps: POLE_SOURCE_FPS,
    location: { type: 'Point', coordinates: [105.8412, 21.0245] },
    districtCode: '001',
    ...overrides,
  });
}

export interface PoleRunResult {
  wallSeconds: number;
  framesSkipped: number;
}

/** Runs the clip once to its end (at most `deadlineMs`), then stops the pipeline and the plate reader. */
export async function runPoleFootage(options: { pool: pg.Pool; bus: Bus; files: HashedFileStore; logger?: Logger; camera?: CameraConfig; deadlineMs?: number; sightings?: PlateSightingSink; onStopped?: (pipeline: CameraPipeline) => void }): Promise<PoleRunResult> {
  const camera = options.camera ?? poleCamera();
  const catalog = ModelCatalog.load(path.join(root, 'models'));
  await catalog.verify(camera.model);
  const logger = options.logger ?? pino({ level: 'silent' });
  const plates = await PlateReader.create({ logger });
  try {
    const pipeline = new CameraPipeline({
      camera,
      model: catalog.spec(camera.model),
      flows: new TrafficFlowRepository(options.pool),
      bus: options.bus,
      logger,
      threads: 2,
      // The file is played once: no replay after it ends.
      backoffMs: { initial: 600_000, max: 600_000 },
      violations: {
        sink: new ViolationRepository(options.pool),
        files: options.files,
        bus: options.bus,
        plates,
        // Plate sightings (the trace): violators' plates, and crossings when the camera has plates.readOnCrossing.
        sightings: options.sightings,
        settings: { clipSecondsBefore: 2, clipSecondsAfter: 1, frameOffsetSeconds: 0.5, ringBufferMegabytes: 160, maxPendingViolations: 8 },
      },
    });
    const startedMs = performance.now();
    pipeline.start();
    const deadline = Date.now() + (options.deadlineMs ?? 270_000);
    while (pipeline.status().lastError !== 'source ended' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    await pipeline.stop();
    options.onStopped?.(pipeline);
    return { wallSeconds: (performance.now() - startedMs) / 1000, framesSkipped: pipeline.status().framesSkipped };
  } finally {
    await plates.close();
  }
}
