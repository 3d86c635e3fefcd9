import type { BusMessage, CameraConfig, CameraCounts, CameraHealth, CameraSummary } from '@ioc/schemas';
import type { CameraDirectory } from '@ioc/api';

/** Health goes out every 5 s while a pipeline runs; three missed reports mean its worker is gone or moving it. */
export const CAMERA_HEALTH_STALE_MS = 15_000;

/**
 * `GET /api/v1/cameras` on an API node, which runs no pipelines: the configured cameras with the health and
 * counts their ingest workers announce on the bus. A camera whose reports stopped is shown offline with the
 * reason until its new worker reports. Snapshots (JPEG) come from the workers through the broker (snapshot-relay.ts).
 */
export class BusCameraDirectory implements CameraDirectory {
  readonly #cameras: readonly CameraConfig[];
  readonly #health = new Map<string, CameraHealth>();
  readonly #counts = new Map<string, CameraCounts>();
  readonly #nowMs: () => number;
  readonly #snapshots: ((cameraId: string) => { jpeg: Buffer; takenAtMs: number } | undefined) | undefined;

  constructor(cameras: readonly CameraConfig[], nowMs: () => number = Date.now, snapshots?: (cameraId: string) => { jpeg: Buffer; takenAtMs: number } | undefined) {
    this.#cameras = cameras;
    this.#nowMs = nowMs;
    this.#snapshots = snapshots;
  }

  receive(message: BusMessage): void {
    if (message.kind === 'cameraHealth') {
      const previous = this.#health.get(message.health.cameraId);
      if (!previous || previous.reportedAtMs <= message.health.reportedAtMs) this.#health.set(message.health.cameraId, message.health);
    } else if (message.kind === 'cameraCounts') {
      const previous = this.#counts.get(message.counts.cameraId);
      // A new pipeline (another worker) starts its totals again; the latest report is the one to show.
      if (!previous || previous.toMs <= message.counts.toMs) this.#counts.set(message.counts.cameraId, message.counts);
    }
  }

  list(): CameraSummary[] {
    const nowMs = this.#nowMs();
    return this.#cameras.map((camera) => {
      const health = this.#health.get(camera.id);
      const base = { id: camera.id, name: camera.name, location: camera.location, districtCode: camera.districtCode, analysisFps: camera.analysisFps, counts: this.#counts.get(camera.id)?.totals ?? {} };
      if (!camera.enabled) return { ...base, state: 'stopped' as const, analysedFps: 0, inferenceMs: 0, lastFrameAtMs: undefined, lastError: undefined, deviceState: 'unknown' as const };
      if (!health) return { ...base, state: 'starting' as const, analysedFps: 0, inferenceMs: 0, lastFrameAtMs: undefined, lastError: undefined, deviceState: 'unknown' as const };
      const silentMs = nowMs - health.reportedAtMs;
      if (silentMs > CAMERA_HEALTH_STALE_MS) {
        return { ...base, state: 'offline' as const, analysedFps: 0, inferenceMs: health.inferenceMs, lastFrameAtMs: health.lastFrameAtMs, lastError: `no health report for ${Math.round(silentMs / 1000)} s (its ingest worker stopped or the camera is moving to another)`, deviceState: 'offline' as const, framesAnalysed: health.framesAnalysed, framesSkipped: health.framesSkipped, reconnects: health.reconnects };
      }
      return { ...base, state: health.state, analysedFps: health.analysedFps, inferenceMs: health.inferenceMs, lastFrameAtMs: health.lastFrameAtMs, lastError: health.lastError, deviceState: health.deviceState, framesAnalysed: health.framesAnalysed, framesSkipped: health.framesSkipped, reconnects: health.reconnects };
    });
  }

  snapshot(cameraId: string): { jpeg: Buffer; takenAtMs: number } | undefined {
    return this.#snapshots?.(cameraId);
  }
}
