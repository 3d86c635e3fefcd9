import {
  ByteTrack,
  COCO_CLASS_IDS,
  LineZone,
  fuseRiders,
  mapCocoToTraffic,
  relabelFastPersons,
  type Anchor,
  type ByteTrackOptions,
  type CrossingDirection,
  type Detections,
  type Point,
  type TrafficClass,
} from '@ioc/vision';

export interface CountingLine {
  id: string;
  /** Source-frame pixels. */
  start: Point;
  end: Point;
}

export interface CameraAnalyzerOptions {
  lines: readonly CountingLine[];
  /** Frames per second the analyzer is fed at (speeds per second, tracker buffers). */
  analysisFps: number;
  anchor?: Anchor;
  minimumCrossingFrames?: number;
  tracker?: ByteTrackOptions;
  /**
   * A lone person track moving faster than this many of its own box heights per second is a rider whose bike
   * was not detected (a pedestrian walks about 0.8 body heights per second; a motorbike at 20 km/h about 3).
   */
  riderSpeedBoxHeightsPerSecond?: number;
}

export const CAMERA_ANALYZER_DEFAULTS = {
  anchor: 'bottomCenter' as Anchor,
  minimumCrossingFrames: 2,
  riderSpeedBoxHeightsPerSecond: 2,
} as const;

/** Classes counted on lines: vehicles only (a person is counted once relabelled as a rider). */
const COUNTED_CLASSES: ReadonlySet<TrafficClass> = new Set(['car', 'motorcycle', 'bus', 'lorry', 'bicycle']);

export interface LineCrossingEvent {
  lineId: string;
  trackId: number;
  vehicleClass: TrafficClass;
  direction: CrossingDirection;
  timestampMs: number;
}

export interface FrameAnalysis {
  /** Tracked detections (COCO class ids after rider fusion); trackId −1 for unconfirmed. */
  tracked: Detections;
  crossings: LineCrossingEvent[];
}

export type LineCounts = Record<string, { forward: number; backward: number }>;

/**
 * Everything that happens to one camera's detections, frame by frame, with no I/O: riders folded into their
 * motorbikes, tracking, riders without a detected bike relabelled by speed, and line crossings by traffic
 * class and direction. The camera pipeline feeds it detector output; `ioc analyze` and the tests feed it a file.
 */
export class CameraAnalyzer {
  readonly #tracker: ByteTrack;
  readonly #zones: Array<{ id: string; zone: LineZone }>;
  readonly #counts = new Map<string, LineCounts>();
  readonly #analysisFps: number;
  readonly #riderSpeed: number;
  /** Tracks seen as a two-wheeler at least once, with the time last seen (riders flicker to `person`). */
  readonly #twoWheelerTracks = new Map<number, number>();

  constructor(options: CameraAnalyzerOptions) {
    this.#analysisFps = options.analysisFps;
    this.#riderSpeed = options.riderSpeedBoxHeightsPerSecond ?? CAMERA_ANALYZER_DEFAULTS.riderSpeedBoxHeightsPerSecond;
    // At low analysis rates a lost track is kept for the same time (about 6 s), not the same frame count.
    // Lines need a track's position from its first frame: a motorbike entering near a line at 5 fps may cross it
    // before a second sighting would confirm it. A crossing already takes two matched positions, so counting
    // does not need the confirmation delay that a display does.
    this.#tracker = new ByteTrack({ lostTrackBufferFrames: Math.max(10, Math.round(options.analysisFps * 6)), minimumConsecutiveFrames: 1, ...options.tracker });
    this.#zones = options.lines.map((line) => ({
      id: line.id,
      zone: new LineZone({
        start: line.start,
        end: line.end,
        anchor: options.anchor ?? CAMERA_ANALYZER_DEFAULTS.anchor,
        minimumCrossingFrames: options.minimumCrossingFrames ?? CAMERA_ANALYZER_DEFAULTS.minimumCrossingFrames,
      }),
    }));
    for (const line of options.lines) this.#counts.set(line.id, {});
  }

  /** Feed one frame's detections (source pixels, COCO class ids, after NMS). */
  update(detections: Detections, timestampMs: number): FrameAnalysis {
    const fused = fuseRiders(detections);
    const tracked = this.#tracker.update(fused);
    const relabelled = relabelFastPersons(tracked, (trackId) => this.#speedInBoxHeights(tracked, trackId), this.#riderSpeed);
    this.#rememberTwoWheelers(relabelled, timestampMs);
    const crossings: LineCrossingEvent[] = [];
    for (const { id, zone } of this.#zones) {
      for (const crossing of zone.trigger(relabelled)) {
        // A track seen mostly as `person` that was a motorbike at times is a rider whose bike the detector lost.
        const classId = crossing.classId === COCO_CLASS_IDS.person && this.#twoWheelerTracks.has(crossing.trackId) ? COCO_CLASS_IDS.motorcycle : crossing.classId;
        const vehicleClass = mapCocoToTraffic(classId);
        if (vehicleClass === null || !COUNTED_CLASSES.has(vehicleClass)) continue;
        const counts = this.#counts.get(id) as LineCounts;
        const entry = (counts[vehicleClass] ??= { forward: 0, backward: 0 });
        entry[crossing.direction] += 1;
        crossings.push({ lineId: id, trackId: crossing.trackId, vehicleClass, direction: crossing.direction, timestampMs });
      }
    }
    return { tracked: relabelled, crossings };
  }

  /** Counts so far per line, by traffic class and direction. */
  counts(): ReadonlyMap<string, Readonly<LineCounts>> {
    return this.#counts;
  }

  #rememberTwoWheelers(tracked: Detections, timestampMs: number): void {
    const trackIds = tracked.trackId;
    if (trackIds === undefined) return;
    for (let index = 0; index < tracked.length; index += 1) {
      const trackId = trackIds[index] as number;
      const classId = tracked.classId[index];
      if (trackId >= 0 && (classId === COCO_CLASS_IDS.motorcycle || classId === COCO_CLASS_IDS.bicycle || this.#twoWheelerTracks.has(trackId))) {
        this.#twoWheelerTracks.set(trackId, timestampMs);
      }
    }
    // Bounded over days of running: forget tracks not seen for a minute.
    if (this.#twoWheelerTracks.size > 1000) {
      for (const [trackId, lastSeenMs] of this.#twoWheelerTracks) if (timestampMs - lastSeenMs > 60_000) this.#twoWheelerTracks.delete(trackId);
    }
  }

  #speedInBoxHeights(tracked: Detections, trackId: number): number | undefined {
    const velocity = this.#tracker.velocityOf(trackId);
    if (velocity === undefined) return undefined;
    const trackIds = tracked.trackId;
    if (trackIds === undefined) return undefined;
    const index = trackIds.indexOf(trackId);
    if (index < 0 || tracked.classId[index] !== COCO_CLASS_IDS.person) return undefined;
    const heightPixels = tracked.heightPixels(index);
    if (heightPixels <= 0) return undefined;
    return (Math.hypot(velocity.vxPixelsPerFrame, velocity.vyPixelsPerFrame) * this.#analysisFps) / heightPixels;
  }
}
