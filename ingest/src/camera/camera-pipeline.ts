import type { Logger } from 'pino';
import { scrubUrlCredentials, type CameraConfig, type CameraHealth, type CameraLineCounts, type CameraState, type Device, type TrafficFlowObserved } from '@ioc/schemas';
import { isConnectionError } from '@ioc/store';
import { TRAFFIC_COCO_CLASS_IDS, type Detections } from '@ioc/vision';
import type { BusPublisher, CameraDeviceSink, TrafficFlowSink } from '../ports';
import { annotatedSnapshotJpeg } from './annotate';
import { CameraAnalyzer, type CountingLine, type LineCrossingEvent } from './camera-analyzer';
import { FfmpegFrameSource, type Frame } from './ffmpeg-source';
import type { InferencePool } from './inference-pool';
import { OnnxDetector, type DetectorModelSpec } from './onnx-detector';
import { TrafficFlowAggregator } from './traffic-flow-aggregator';
import { ViolationRecorder, type LiveViolationOptions } from './violation-recorder';
import { CrossingPlateReader, type CropFileSink, type PlateSightingSink, type VehiclePlateReader } from '../plates/plate-sightings';

export type { CameraState };

export interface CameraStatus {
  cameraId: string;
  state: CameraState;
  /** Frames analysed per second over the last 10 s. */
  analysedFps: number;
  /** Median inference time of the last 50 frames. */
  inferenceMs: number;
  framesAnalysed: number;
  /** Frames that arrived while the previous one was still being analysed, skipped to keep up (live sources). */
  framesSkipped: number;
  lastFrameAtMs: number | undefined;
  reconnects: number;
  lastError: string | undefined;
  /** Counts since start per line, by vehicle type and direction. */
  counts: CameraLineCounts;
}

export interface CameraPipelineOptions {
  camera: CameraConfig;
  model: DetectorModelSpec;
  flows: TrafficFlowSink;
  devices?: CameraDeviceSink | undefined;
  bus?: BusPublisher | undefined;
  logger: Logger;
  /** Inference threads shared with other cameras (CameraService passes one per model); a private one otherwise. */
  pool?: InferencePool | undefined;
  threads?: number;
  snapshotIntervalMs?: number;
  flushIntervalMs?: number;
  /** How often the camera's health goes on the bus while it runs (state changes go at once). */
  healthIntervalMs?: number;
  /** Counts go on the bus at most this often, and only when something was counted. */
  countsIntervalMs?: number;
  /** First and largest wait between reconnect attempts. */
  backoffMs?: { initial: number; max: number };
  /** Overrides for tests and tools (e.g. a different ffmpeg). */
  ffmpegPath?: string;
  /** Where violations and their evidence go; without it (or without rules in the config) the camera only counts. */
  violations?: LiveViolationOptions | undefined;
  /** Plate reads of vehicles crossing a line, for cameras with `plates.readOnCrossing` (the trace). */
  plateSightings?: { reader: VehiclePlateReader; sink: PlateSightingSink; files: CropFileSink } | undefined;
}

const RATE_WINDOW_MS = 10_000;
const DEFAULT_HEALTH_INTERVAL_MS = 5000;
/** Minute rows kept per camera while the database is unreachable: about 8 hours of a busy two-line camera. */
const MAX_UNSAVED_FLOW_ROWS = 10_000;
const DEFAULT_COUNTS_INTERVAL_MS = 1000;

/** Adds one crossing to per-line counts (creating the line and type entries as needed). */
function addCrossing(counts: CameraLineCounts, crossing: LineCrossingEvent): void {
  // The analyzer counts vehicles only; a person is never a crossing (riders arrive relabelled as motorcycles).
  if (crossing.vehicleClass === 'person') return;
  const byType = (counts[crossing.lineId] ??= {});
  const entry = (byType[crossing.vehicleClass] ??= { forward: 0, backward: 0 });
  entry[crossing.direction] += 1;
}

function copyCounts(counts: CameraLineCounts): CameraLineCounts {
  return Object.fromEntries(Object.entries(counts).map(([lineId, byType]) => [lineId, Object.fromEntries(Object.entries(byType).map(([type, entry]) => [type, { ...entry }]))]));
}


/**
 * One camera, end to end: ffmpeg frames at the analysis rate → detector → tracker and lines → per-minute
 * `TrafficFlowObserved` rows to the store, camera state on the bus, an annotated snapshot every few seconds.
 * A failing source is retried with exponential backoff; nothing here can stop another camera's pipeline.
 */
export class CameraPipeline {
  readonly cameraId: string;
  readonly #options: CameraPipelineOptions;
  readonly #log: Logger;
  #detector: OnnxDetector | undefined;
  #source: FfmpegFrameSource | undefined;
  #analyzer: CameraAnalyzer | undefined;
  #aggregator: TrafficFlowAggregator;
  #state: CameraState = 'starting';
  #stopped = false;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #consumed: (() => void) | undefined;
  #frameTimesMs: number[] = [];
  #inferenceMs: number[] = [];
  #framesAnalysed = 0;
  #framesSkipped = 0;
  #lastFrameAtMs: number | undefined;
  #reconnects = 0;
  #lastError: string | undefined;
  #snapshot: { jpeg: Buffer; takenAtMs: number } | undefined;
  #lastSnapshotMs = 0;
  #lastFlushMs = Date.now();
  /** Closed minutes the store could not take (database unreachable): written with the next flush. */
  #unsavedFlows: TrafficFlowObserved[] = [];
  #frameSizeKey = '';
  #pixelLines: CountingLine[] = [];
  #violations: ViolationRecorder | undefined;
  #crossingPlates: CrossingPlateReader | undefined;
  /** Counts since the pipeline started (survives a new analyzer after a change of frame size). */
  readonly #totals: CameraLineCounts = {};
  /** Counted since the last `cameraCounts` message. */
  #pendingDelta: CameraLineCounts = {};
  #pendingSinceMs = Date.now();
  #lastHealthMs = 0;

  constructor(options: CameraPipelineOptions) {
    this.cameraId = options.camera.id;
    this.#options = options;
    this.#log = options.logger.child({ module: 'camera-pipeline', cameraId: options.camera.id });
    this.#aggregator = this.#newAggregator();
    if (options.violations && ViolationRecorder.wanted(options.camera)) this.#violations = new ViolationRecorder({ ...options.violations, camera: options.camera, logger: options.logger });
    // The violations' plate reader, sighting sink and file store serve crossings too, unless given apart.
    const violations = options.violations;
    const plateSightings = options.plateSightings ?? (violations?.plates && violations.sightings ? { reader: violations.plates, sink: violations.sightings, files: violations.files } : undefined);
    if (plateSightings && CrossingPlateReader.wanted(options.camera)) {
      this.#crossingPlates = new CrossingPlateReader({ ...plateSightings, camera: options.camera, logger: options.logger, sessionId: this.#violations?.sessionId ?? Date.now().toString(36) });
    }
  }

  #newAggregator(): TrafficFlowAggregator {
    const camera = this.#options.camera;
    return new TrafficFlowAggregator({ cameraId: camera.id, lineIds: camera.lines.map((line) => line.id), refRoadSegment: camera.refRoadSegment, location: camera.location });
  }

  get state(): CameraState {
    return this.#state;
  }

  /** Plate reads on line crossings (queue, sightings, drops by reason); undefined when the camera does not read plates. */
  get crossingPlateStats(): CrossingPlateReader['stats'] | undefined {
    return this.#crossingPlates?.stats;
  }

  /** The latest annotated snapshot (JPEG), if one was taken. */
  get snapshot(): { jpeg: Buffer; takenAtMs: number } | undefined {
    return this.#snapshot;
  }

  status(): CameraStatus {
    const nowMs = Date.now();
    const recent = this.#frameTimesMs.filter((timeMs) => nowMs - timeMs <= RATE_WINDOW_MS);
    const sorted = [...this.#inferenceMs].sort((left, right) => left - right);
    const counts = copyCounts(this.#totals);
    return {
      cameraId: this.cameraId,
      state: this.#state,
      analysedFps: recent.length / (RATE_WINDOW_MS / 1000),
      inferenceMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
      framesAnalysed: this.#framesAnalysed,
      framesSkipped: this.#framesSkipped,
      lastFrameAtMs: this.#lastFrameAtMs,
      reconnects: this.#reconnects,
      lastError: this.#lastError,
      counts,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#run().catch((err: unknown) => this.#log.error({ err }, 'camera pipeline crashed'));
  }

  /** The health this pipeline reports on the bus (`cameraHealth`) and the API lists. */
  health(nowMs = Date.now()): CameraHealth {
    const status = this.status();
    return {
      cameraId: this.cameraId,
      state: status.state,
      deviceState: deviceStateOf(status.state),
      analysisFps: this.#options.camera.analysisFps,
      analysedFps: status.analysedFps,
      inferenceMs: status.inferenceMs,
      framesAnalysed: status.framesAnalysed,
      framesSkipped: status.framesSkipped,
      reconnects: status.reconnects,
      ...(status.lastFrameAtMs !== undefined ? { lastFrameAtMs: status.lastFrameAtMs } : {}),
      ...(status.lastError !== undefined ? { lastError: status.lastError.slice(0, 2000) } : {}),
      reportedAtMs: nowMs,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#source?.close();
    this.#wake?.();
    await this.#running;
    await this.#violations?.close();
    await this.#crossingPlates?.drain();
    this.#publishCounts(Date.now());
    await this.#flush(Number.POSITIVE_INFINITY);
    if (this.#unsavedFlows.length > 0) this.#log.error({ rows: this.#unsavedFlows.length }, 'stopping while the database is unreachable: traffic counts kept in memory are lost');
    await this.#detector?.close().catch(() => undefined);
    this.#detector = undefined;
    this.#setState('stopped');
  }

  async #run(): Promise<void> {
    const backoff = this.#options.backoffMs ?? { initial: 1000, max: 30_000 };
    let waitMs = backoff.initial;
    while (!this.#stopped) {
      try {
        this.#detector ??= await OnnxDetector.load(this.#options.model, {
          ...(this.#options.pool ? { pool: this.#options.pool } : {}),
          threads: this.#options.threads ?? 1,
          classIds: TRAFFIC_COCO_CLASS_IDS,
          logger: this.#options.logger,
        });
        const delivered = await this.#analyseSource();
        if (delivered > 0) waitMs = backoff.initial;
        if (this.#stopped) break;
        // A file without loop ends here; a live stream that ends is a dropped connection.
        this.#lastError = 'source ended';
      } catch (err) {
        this.#lastError = scrubUrlCredentials(err instanceof Error ? err.message : String(err));
        this.#log.warn({ err: { message: this.#lastError }, retryInMs: waitMs }, 'camera source failed');
      }
      if (this.#stopped) break;
      this.#setState('offline');
      this.#reconnects += 1;
      await this.#sleep(waitMs);
      waitMs = Math.min(backoff.max, waitMs * 2);
    }
  }

  /** Reads frames into a one-frame slot and analyses the newest: a slow detector skips frames instead of lagging. */
  async #analyseSource(): Promise<number> {
    const camera = this.#options.camera;
    const source = new FfmpegFrameSource({
      url: camera.source.url,
      analysisFps: camera.analysisFps,
      loop: camera.source.loop,
      realtime: camera.source.realtime,
      maxWidthPixels: camera.source.maxWidthPixels,
      logger: this.#options.logger,
      ...(this.#options.ffmpegPath ? { ffmpegPath: this.#options.ffmpegPath } : {}),
    });
    this.#source = source;
    await source.open();
    let latest: Frame | undefined;
    let ended = false;
    let failure: unknown;
    let delivered = 0;
    // A file played as fast as possible is a replay (evidence, tests): every frame is analysed, none skipped.
    const lossless = !camera.source.realtime && !/^[a-z][a-z0-9+.-]*:\/\//i.test(camera.source.url);
    const reading = (async () => {
      try {
        for await (const frame of source.frames()) {
          this.#violations?.observeFrame(frame);
          while (lossless && latest !== undefined && !this.#stopped) await new Promise<void>((resolve) => (this.#consumed = resolve));
          if (latest !== undefined) this.#framesSkipped += 1;
          latest = frame;
          delivered += 1;
          this.#wake?.();
        }
      } catch (err) {
        failure = err;
      } finally {
        ended = true;
        this.#wake?.();
      }
    })();
    try {
      while (!this.#stopped) {
        if (latest === undefined) {
          if (ended) break;
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          continue;
        }
        const frame = latest;
        latest = undefined;
        this.#consumed?.();
        await this.#analyseFrame(frame);
      }
    } finally {
      source.close();
      this.#consumed?.();
      await reading;
      this.#source = undefined;
      this.#violations?.finishPending();
    }
    if (failure !== undefined && !this.#stopped) throw failure;
    return delivered;
  }

  async #analyseFrame(frame: Frame): Promise<void> {
    const detector = this.#detector as OnnxDetector;
    const nowMs = Date.now();
    this.#prepareAnalyzer(frame.widthPixels, frame.heightPixels);
    const result = await detector.detect(frame);
    const analysis = (this.#analyzer as CameraAnalyzer).update(result.detections, frame.timestampMs);
    this.#violations?.analyse(frame, analysis.tracked);
    this.#crossingPlates?.observe(frame, analysis.tracked);
    this.#aggregator.start(nowMs);
    for (const crossing of analysis.crossings) {
      this.#crossingPlates?.crossed(crossing);
      this.#aggregator.add(crossing, nowMs);
      addCrossing(this.#totals, crossing);
      addCrossing(this.#pendingDelta, crossing);
    }
    this.#framesAnalysed += 1;
    this.#lastFrameAtMs = nowMs;
    this.#frameTimesMs.push(nowMs);
    while (this.#frameTimesMs.length > 0 && nowMs - (this.#frameTimesMs[0] as number) > RATE_WINDOW_MS) this.#frameTimesMs.shift();
    this.#inferenceMs.push(result.inferenceMs);
    if (this.#inferenceMs.length > 50) this.#inferenceMs.shift();
    if (this.#state !== 'online') {
      this.#setState('online');
      void this.#upsertDevice('ok', nowMs);
    }
    if (nowMs - this.#pendingSinceMs >= (this.#options.countsIntervalMs ?? DEFAULT_COUNTS_INTERVAL_MS)) this.#publishCounts(nowMs);
    if (nowMs - this.#lastHealthMs >= (this.#options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS)) this.#publishHealth(nowMs);
    if (nowMs - this.#lastSnapshotMs >= (this.#options.snapshotIntervalMs ?? 5000)) {
      this.#lastSnapshotMs = nowMs;
      this.#snapshot = { jpeg: this.#drawSnapshot(frame, analysis.tracked), takenAtMs: nowMs };
    }
    if (nowMs - this.#lastFlushMs >= (this.#options.flushIntervalMs ?? 10_000)) {
      this.#lastFlushMs = nowMs;
      await this.#flush(nowMs);
      void this.#upsertDevice('ok', nowMs);
    }
  }

  #prepareAnalyzer(widthPixels: number, heightPixels: number): void {
    const key = `${widthPixels}x${heightPixels}`;
    if (this.#analyzer && key === this.#frameSizeKey) return;
    const camera = this.#options.camera;
    this.#frameSizeKey = key;
    this.#pixelLines = camera.lines.map((line) => ({
      id: line.id,
      start: { x: line.points[0][0] * widthPixels, y: line.points[0][1] * heightPixels },
      end: { x: line.points[1][0] * widthPixels, y: line.points[1][1] * heightPixels },
    }));
    this.#analyzer = new CameraAnalyzer({ lines: this.#pixelLines, analysisFps: camera.analysisFps, anchor: camera.anchor });
  }

  #drawSnapshot(frame: Frame, tracked: Detections): Buffer {
    const counts = this.#analyzer?.counts();
    return annotatedSnapshotJpeg(frame, {
      detections: tracked,
      lines: this.#pixelLines.map((line) => {
        const byClass = Object.values(counts?.get(line.id) ?? {});
        return { start: line.start, end: line.end, forward: byClass.reduce((sum, entry) => sum + entry.forward, 0), backward: byClass.reduce((sum, entry) => sum + entry.backward, 0) };
      }),
    });
  }

  async #flush(nowMs: number): Promise<void> {
    const rows = [...this.#unsavedFlows, ...this.#aggregator.takeClosed(nowMs)];
    if (rows.length === 0) return;
    const wasUnsaved = this.#unsavedFlows.length;
    try {
      await this.#options.flows.writeTrafficFlows(rows);
      this.#unsavedFlows = [];
      if (wasUnsaved > 0) this.#log.info({ rows: wasUnsaved }, 'traffic counts kept during a database outage stored');
    } catch (err) {
      // The database is away: keep the minutes (a few rows each) and write them with the next flush; the write is
      // an upsert on the minute's key, so a retry of a write that did land changes nothing. Anything else (the
      // store refused the rows, the camera's lease was taken over) is not retried.
      if (isConnectionError(err) && rows.length <= MAX_UNSAVED_FLOW_ROWS) {
        if (wasUnsaved === 0) this.#log.warn({ err, rows: rows.length }, 'traffic counts kept in memory until the database is back');
        this.#unsavedFlows = rows;
        return;
      }
      this.#unsavedFlows = [];
      this.#log.error({ err, rows: rows.length }, 'traffic counts could not be stored');
    }
  }

  #setState(state: CameraState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#log.info({ state }, 'camera state');
    const deviceState = deviceStateOf(state);
    this.#options.bus?.publish({ kind: 'deviceState', change: { deviceId: this.cameraId, deviceState, changedAtMs: Date.now() } });
    this.#publishHealth(Date.now());
    if (state === 'offline') void this.#upsertDevice('offline', Date.now());
  }
  #publishHealth(nowMs: number): void {
    this.#lastHealthMs = nowMs;
    this.#options.bus?.publish({ kind: 'cameraHealth', health: this.health(nowMs) });
  }

  /** What was counted since the last message, with the totals; nothing when nothing was counted. */
  #publishCounts(nowMs: number): void {
    const delta = this.#pendingDelta;
    const fromMs = this.#pendingSinceMs;
    this.#pendingDelta = {};
    this.#pendingSinceMs = nowMs;
    if (Object.keys(delta).length === 0) return;
    this.#options.bus?.publish({ kind: 'cameraCounts', counts: { cameraId: this.cameraId, fromMs, toMs: Math.max(fromMs, nowMs), delta, totals: copyCounts(this.#totals) } });
  }


  async #upsertDevice(deviceState: Device['deviceState'], nowMs: number): Promise<void> {
    const camera = this.#options.camera;
    if (!this.#options.devices || !camera.location) return;
    const device: Device = {
      id: camera.id,
      type: 'Device',
      name: camera.name,
      category: 'camera',
      controlledProperty: [],
      location: camera.location,
      ...(camera.districtCode ? { districtCode: camera.districtCode } : {}),
      deviceState,
      ...(this.#lastFrameAtMs ? { dateLastValueReported: new Date(this.#lastFrameAtMs).toISOString() } : {}),
      reportIntervalSeconds: Math.max(1, Math.ceil(1 / camera.analysisFps)),
    };
    try {
      await this.#options.devices.upsert([device]);
    } catch (err) {
      this.#log.warn({ err, nowMs }, 'camera device record not updated');
    }
  }

  #sleep(durationMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function deviceStateOf(state: CameraState): Device['deviceState'] {
  return state === 'online' ? 'ok' : state === 'offline' ? 'offline' : 'unknown';
}
