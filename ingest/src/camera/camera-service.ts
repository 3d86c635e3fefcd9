import type { Logger } from 'pino';
import type { CameraConfig, CameraSummary } from '@ioc/schemas';
import type { BusPublisher, CameraDeviceSink, TrafficFlowSink } from '../ports';
import { CameraPipeline, type CameraStatus } from './camera-pipeline';
import type { InferencePool } from './inference-pool';
import { OnnxDetector, type DetectorModelSpec } from './onnx-detector';
import type { LiveViolationOptions } from './violation-recorder';

export interface CameraServiceOptions {
  cameras: readonly CameraConfig[];
  /** The model spec for a manifest name; throws IOC_ERR_MODEL for an unknown name. */
  resolveModel: (name: string) => DetectorModelSpec;
  flows: TrafficFlowSink;
  devices?: CameraDeviceSink;
  bus?: BusPublisher;
  logger: Logger;
  /** Inference worker threads per model, shared by all its cameras (default: one per core). */
  inferenceWorkers?: number;
  /** onnxruntime threads inside each worker. */
  threadsPerWorker?: number;
  snapshotIntervalMs?: number;
  /** Violations and their evidence from cameras whose config has rules; absent: cameras only count. */
  violations?: LiveViolationOptions;
}

/** A camera as `GET /api/v1/cameras` lists it: the pipeline's status with the camera's identity and health. */
export interface CameraView extends CameraStatus, Omit<CameraSummary, keyof CameraStatus> {
  id: string;
  name: string;
  location: CameraConfig['location'];
  districtCode: string | undefined;
  analysisFps: number;
  deviceState: NonNullable<CameraSummary['deviceState']>;
}

/**
 * Runs one pipeline per enabled camera in this process. Each pipeline retries its own source; a camera whose
 * model cannot be resolved is reported (state offline, lastError) and the others still start.
 */
export class CameraService {
  readonly #options: CameraServiceOptions;
  readonly #pipelines = new Map<string, CameraPipeline>();
  readonly #failed = new Map<string, string>();
  readonly #log: Logger;
  readonly #pools = new Map<string, InferencePool>();

  constructor(options: CameraServiceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'camera-service' });
  }

  async start(): Promise<void> {
    for (const camera of this.#options.cameras) {
      if (!camera.enabled || this.#pipelines.has(camera.id)) continue;
      await this.#startOne(camera, this.#options.flows);
    }
    this.#log.info({ cameras: this.#pipelines.size, failed: this.#failed.size, inferenceWorkers: [...this.#pools.values()].reduce((sum, pool) => sum + pool.size, 0) }, 'cameras started');
  }

  /**
   * Starts one configured camera (split mode: when this worker acquires its lease). `flows` replaces the shared
   * sink, e.g. one that writes only under the lease's fencing token. False if unknown, disabled or running.
   */
  async startCamera(cameraId: string, flows?: TrafficFlowSink): Promise<boolean> {
    const camera = this.#options.cameras.find((candidate) => candidate.id === cameraId);
    if (!camera || !camera.enabled || this.#pipelines.has(camera.id)) return false;
    return await this.#startOne(camera, flows ?? this.#options.flows);
  }

  /** Stops one camera's pipeline and waits until its source and analysis have stopped (split mode: lease gone). */
  async stopCamera(cameraId: string): Promise<void> {
    const pipeline = this.#pipelines.get(cameraId);
    if (!pipeline) return;
    this.#pipelines.delete(cameraId);
    await pipeline.stop();
  }

  /** Cameras whose pipeline runs in this process. */
  get runningCameraIds(): string[] {
    return [...this.#pipelines.keys()];
  }

  async #startOne(camera: CameraConfig, flows: TrafficFlowSink): Promise<boolean> {
    let model: DetectorModelSpec;
    let pool: InferencePool;
    try {
      model = this.#options.resolveModel(camera.model);
      pool = await this.#poolFor(model);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#failed.set(camera.id, reason);
      this.#log.error({ cameraId: camera.id, err: { message: reason } }, 'camera not started');
      return false;
    }
    // Started meanwhile by a concurrent call (the pool load awaited): one pipeline per camera, always.
    if (this.#pipelines.has(camera.id)) return false;
    this.#failed.delete(camera.id);
    const pipeline = new CameraPipeline({
      camera,
      model,
      pool,
      flows,
      devices: this.#options.devices,
      bus: this.#options.bus,
      logger: this.#options.logger,
      ...(this.#options.snapshotIntervalMs ? { snapshotIntervalMs: this.#options.snapshotIntervalMs } : {}),
      violations: this.#options.violations,
    });
    this.#pipelines.set(camera.id, pipeline);
    pipeline.start();
    return true;
  }

  async #poolFor(model: DetectorModelSpec): Promise<InferencePool> {
    const existing = this.#pools.get(model.file);
    if (existing) return existing;
    const pool = await OnnxDetector.createPool(model, {
      ...(this.#options.inferenceWorkers ? { workers: this.#options.inferenceWorkers } : {}),
      threadsPerWorker: this.#options.threadsPerWorker ?? 1,
    });
    this.#pools.set(model.file, pool);
    return pool;
  }

  list(): CameraView[] {
    return this.#options.cameras.map((camera) => {
      const pipeline = this.#pipelines.get(camera.id);
      const status: CameraStatus = pipeline?.status() ?? {
        cameraId: camera.id,
        state: camera.enabled ? 'offline' : 'stopped',
        analysedFps: 0,
        inferenceMs: 0,
        framesAnalysed: 0,
        framesSkipped: 0,
        lastFrameAtMs: undefined,
        reconnects: 0,
        lastError: this.#failed.get(camera.id),
        counts: {},
      };
      const deviceState = status.state === 'online' ? 'ok' : status.state === 'offline' ? 'offline' : 'unknown';
      return { ...status, id: camera.id, name: camera.name, location: camera.location, districtCode: camera.districtCode, analysisFps: camera.analysisFps, deviceState };
    });
  }

  snapshot(cameraId: string): { jpeg: Buffer; takenAtMs: number } | undefined {
    return this.#pipelines.get(cameraId)?.snapshot;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#pipelines.values()].map((pipeline) => pipeline.stop()));
    this.#pipelines.clear();
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }
}
