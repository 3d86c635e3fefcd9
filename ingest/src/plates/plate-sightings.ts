import type { Logger } from 'pino';
import { plateSearchKey, type CameraConfig, type CameraPlatesConfig, type PlateSightingSource } from '@ioc/schemas';
import type { Detections } from '@ioc/vision';
import { vehicleCropJpeg } from '../camera/evidence-images';
import type { Frame } from '../camera/ffmpeg-source';

/** One plate read at a camera: the store's `NewPlateSighting` (structural, so ingest builds without the store). */
export interface PlateSightingInput {
  cameraId: string;
  seenAt: Date;
  plateText: string;
  plateCompact: string;
  confidence: number;
  source: PlateSightingSource;
  sessionId: string | null;
  trackId: number | null;
  vehicleClass: string | null;
  lineId: string | null;
  direction: 'forward' | 'backward' | null;
  violationId: string | null;
  vehicleCropSha256: string | null;
  plateCropSha256: string | null;
  location: { type: 'Point'; coordinates: [number, number] } | null;
  districtCode: string | null;
}

/** Where sightings go: the store's `PlateSightingRepository`. */
export interface PlateSightingSink {
  record(sighting: PlateSightingInput): Promise<boolean>;
}

/** A plate reader over a vehicle box: the `PlateReader` (structural, as in the violation recorder). */
export interface VehiclePlateReader {
  read(frame: Frame, box: readonly [number, number, number, number], options: { boxKind: 'vehicle' }): Promise<{ text: string; normalised: string | null; confidence: number; box: [number, number, number, number] } | undefined>;
}

/** Write-once files named by sha256: the store's `HashedFileStore`. */
export interface CropFileSink {
  put(bytes: Uint8Array, extension: string): Promise<string>;
}

type Box = [number, number, number, number];

/** The plate text a sighting stores (official layout when it fits a plate shape), or undefined when nothing was read. */
export function sightingPlateText(reading: { text: string; normalised: string | null }): { plateText: string; plateCompact: string } | undefined {
  const plateText = (reading.normalised ?? reading.text).trim().slice(0, 32);
  const plateCompact = plateSearchKey(plateText).slice(0, 32);
  return plateCompact.length > 0 ? { plateText, plateCompact } : undefined;
}

/** Why a crossing gave no sighting; counted per camera so an operator sees what the reader misses. */
export type CrossingDropReason = 'queueFull' | 'noBox' | 'noPlate' | 'lowConfidence' | 'readFailed' | 'duplicate';

export interface CrossingPlateStats {
  crossings: number;
  sightings: number;
  dropped: Record<CrossingDropReason, number>;
  /** Reads waiting or running. */
  queued: number;
  /** Median time of one read (plate search in the vehicle crop), ms; 0 before the first. */
  readMsMedian: number;
}

interface RecentBox {
  frame: Frame;
  box: Box;
  areaPixels: number;
}

interface CrossingJob {
  frame: Frame;
  box: Box;
  trackId: number;
  lineId: string;
  direction: 'forward' | 'backward';
  vehicleClass: string;
  seenAtMs: number;
}

/** The largest box among a track's recent boxes: the nearest, least blurred view a fixed camera had of the plate. */
export function bestRecentBox(recent: readonly RecentBox[]): RecentBox | undefined {
  let best: RecentBox | undefined;
  for (const entry of recent) if (!best || entry.areaPixels > best.areaPixels) best = entry;
  return best;
}

export interface CrossingPlateReaderOptions {
  camera: CameraConfig;
  reader: VehiclePlateReader;
  sink: PlateSightingSink;
  files: CropFileSink;
  logger: Logger;
  sessionId: string;
  /** Overrides the camera's `plates` section (tests). */
  settings?: CameraPlatesConfig;
  /** Wall-clock time of a frame (live: its arrival); default `Date.now()` when the crossing is seen. */
  clock?: () => number;
}

/**
 * Reads the plate of each vehicle that crosses a counting line (a camera's `plates.readOnCrossing`), off the frame
 * loop: `observe` only remembers each track's last boxes, `crossed` picks the track's largest recent box and queues
 * one read; a single worker reads the queue in order. When the queue is full the crossing is dropped and counted —
 * the frame loop never waits for a plate.
 */
export class CrossingPlateReader {
  readonly #options: CrossingPlateReaderOptions;
  readonly #settings: CameraPlatesConfig;
  readonly #log: Logger;
  /** Per track, its boxes in the last `bestOfFrames` analysed frames (frames are shared, not copied). */
  readonly #recent = new Map<number, RecentBox[]>();
  readonly #queue: CrossingJob[] = [];
  #running: Promise<void> | undefined;
  #active = 0;
  #frameCount = 0;
  readonly #lastSeenFrame = new Map<number, number>();
  readonly #readMs: number[] = [];
  readonly #stats: Omit<CrossingPlateStats, 'queued' | 'readMsMedian'> = {
    crossings: 0,
    sightings: 0,
    dropped: { queueFull: 0, noBox: 0, noPlate: 0, lowConfidence: 0, readFailed: 0, duplicate: 0 },
  };

  constructor(options: CrossingPlateReaderOptions) {
    this.#options = options;
    this.#settings = options.settings ?? options.camera.plates ?? { readOnCrossing: false, bestOfFrames: 8, maxQueuedReads: 16, minConfidence: 0.5 };
    this.#log = options.logger.child({ module: 'crossing-plates', cameraId: options.camera.id });
  }

  /** True when the camera asks for plate reads on crossings and has lines to cross. */
  static wanted(camera: CameraConfig): boolean {
    return camera.plates?.readOnCrossing === true && camera.lines.length > 0;
  }

  get stats(): CrossingPlateStats {
    const sorted = [...this.#readMs].sort((left, right) => left - right);
    return { ...this.#stats, dropped: { ...this.#stats.dropped }, queued: this.#queue.length + this.#active, readMsMedian: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  }

  /** Every analysed frame with its tracked detections: remembers each confirmed track's box. */
  observe(frame: Frame, tracked: Detections): void {
    this.#frameCount += 1;
    const keep = this.#settings.bestOfFrames;
    const trackIds = tracked.trackId;
    if (!trackIds) return;
    for (let index = 0; index < tracked.length; index += 1) {
      const trackId = trackIds[index] as number;
      if (trackId < 0) continue;
      const box: Box = [tracked.xyxy[index * 4] as number, tracked.xyxy[index * 4 + 1] as number, tracked.xyxy[index * 4 + 2] as number, tracked.xyxy[index * 4 + 3] as number];
      const recent = this.#recent.get(trackId) ?? [];
      recent.push({ frame, box, areaPixels: Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]) });
      if (recent.length > keep) recent.shift();
      this.#recent.set(trackId, recent);
      this.#lastSeenFrame.set(trackId, this.#frameCount);
    }
    // Tracks gone for longer than the window hold frames for nothing: forget them.
    for (const [trackId, lastFrame] of this.#lastSeenFrame) {
      if (this.#frameCount - lastFrame > keep) {
        this.#recent.delete(trackId);
        this.#lastSeenFrame.delete(trackId);
      }
    }
  }

  /** A line crossing from the analyser: queues one read of the track's best recent crop, or drops it (counted). */
  crossed(crossing: { trackId: number; lineId: string; direction: 'forward' | 'backward'; vehicleClass: string }): void {
    this.#stats.crossings += 1;
    const best = bestRecentBox(this.#recent.get(crossing.trackId) ?? []);
    if (!best) {
      this.#stats.dropped.noBox += 1;
      return;
    }
    if (this.#queue.length + this.#active >= this.#settings.maxQueuedReads) {
      this.#stats.dropped.queueFull += 1;
      if (this.#stats.dropped.queueFull === 1 || this.#stats.dropped.queueFull % 100 === 0) this.#log.warn({ dropped: this.#stats.dropped.queueFull, maxQueuedReads: this.#settings.maxQueuedReads }, 'plate reads fall behind the crossings; crossings dropped');
      return;
    }
    this.#queue.push({ frame: best.frame, box: best.box, ...crossing, seenAtMs: this.#options.clock?.() ?? Date.now() });
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Waits until every queued read is done (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      this.#active = 1;
      try {
        await this.#read(job);
      } catch (err) {
        this.#stats.dropped.readFailed += 1;
        this.#log.warn({ err, trackId: job.trackId }, 'plate not read on crossing');
      } finally {
        this.#active = 0;
      }
    }
  }

  async #read(job: CrossingJob): Promise<void> {
    const { camera, reader, files, sink } = this.#options;
    const startedMs = performance.now();
    const reading = await reader.read(job.frame, job.box, { boxKind: 'vehicle' });
    this.#readMs.push(performance.now() - startedMs);
    if (this.#readMs.length > 100) this.#readMs.shift();
    const plate = reading ? sightingPlateText(reading) : undefined;
    if (!reading || !plate) {
      this.#stats.dropped.noPlate += 1;
      return;
    }
    if (reading.confidence < this.#settings.minConfidence) {
      this.#stats.dropped.lowConfidence += 1;
      return;
    }
    const vehicleCrop = await vehicleCropJpeg(job.frame, job.box);
    const plateCrop = await vehicleCropJpeg(job.frame, reading.box, 0.15);
    const stored = await sink.record({
      cameraId: camera.id,
      seenAt: new Date(job.seenAtMs),
      ...plate,
      confidence: Math.min(1, Math.max(0, Math.round(reading.confidence * 1000) / 1000)),
      source: 'crossing',
      sessionId: this.#options.sessionId,
      trackId: job.trackId,
      vehicleClass: job.vehicleClass,
      lineId: job.lineId,
      direction: job.direction,
      violationId: null,
      vehicleCropSha256: vehicleCrop ? await files.put(vehicleCrop, 'jpg') : null,
      plateCropSha256: plateCrop ? await files.put(plateCrop, 'jpg') : null,
      location: camera.location ?? null,
      districtCode: camera.districtCode ?? null,
    });
    if (stored) this.#stats.sightings += 1;
    else this.#stats.dropped.duplicate += 1;
  }
}
