import type { Anchor, Detections, Point } from './detections';
import { anchorFractions } from './detections';
import { shapeError } from './shape-error';

export interface PolygonZoneOptions {
  /** Polygon in pixels of the source frame, at least three vertices, either winding. */
  polygon: readonly Point[];
  anchor?: Anchor;
  /**
   * A track whose anchor moved less than this since the previous frame counts as stopped (queued). In pixels
   * per second so that it does not depend on the analysis rate.
   */
  stoppedSpeedPixelsPerSecond?: number;
  /** A track not seen for this long is forgotten (its dwell ends). */
  forgetAfterMs?: number;
}

export const POLYGON_ZONE_DEFAULTS = {
  anchor: 'bottomCenter' as Anchor,
  stoppedSpeedPixelsPerSecond: 8,
  forgetAfterMs: 10_000,
} as const;

export interface ZoneOccupant {
  trackId: number;
  classId: number;
  /** Time since the track was first seen inside, continuously. */
  dwellMs: number;
  stopped: boolean;
  /** Time it has been stopped without moving on, continuously. */
  stoppedMs: number;
}

export interface ZoneState {
  /** Detections inside by class id (tracked or not). */
  occupancyByClass: ReadonlyMap<number, number>;
  occupancy: number;
  /** Tracked occupants with their dwell. */
  occupants: readonly ZoneOccupant[];
  /** Stopped tracked vehicles inside: the queue at a signal or the vehicles stopping in a no-stopping zone. */
  queueLength: number;
}

interface TrackZoneState {
  enteredAtMs: number;
  stoppedSinceMs: number | undefined;
  lastX: number;
  lastY: number;
  lastSeenMs: number;
}

/**
 * Presence in a polygon (supervision's `PolygonZone`) plus what a traffic room asks of a zone: how many are in it
 * now, how long each tracked vehicle has been there, and how many are stopped (queue length). Call `trigger` once
 * per analysed frame with the frame's time.
 */
export class PolygonZone {
  readonly polygon: readonly Point[];
  readonly anchor: Anchor;
  private readonly stoppedSpeedPixelsPerSecond: number;
  private readonly forgetAfterMs: number;
  private readonly tracks = new Map<number, TrackZoneState>();
  private lastTimestampMs: number | undefined;

  constructor(options: PolygonZoneOptions) {
    const polygon = options.polygon;
    if (polygon.length < 3) throw shapeError('polygon', 'at least 3 points', `${polygon.length} points`);
    if (!polygon.every((point) => Number.isFinite(point.x) && Number.isFinite(point.y))) throw shapeError('polygon', 'finite points', JSON.stringify(polygon));
    this.polygon = polygon.map((point) => ({ ...point }));
    this.anchor = options.anchor ?? POLYGON_ZONE_DEFAULTS.anchor;
    anchorFractions(this.anchor);
    this.stoppedSpeedPixelsPerSecond = options.stoppedSpeedPixelsPerSecond ?? POLYGON_ZONE_DEFAULTS.stoppedSpeedPixelsPerSecond;
    this.forgetAfterMs = options.forgetAfterMs ?? POLYGON_ZONE_DEFAULTS.forgetAfterMs;
  }

  contains(x: number, y: number): boolean {
    return pointInPolygon(this.polygon, x, y);
  }

  /** Tracks currently remembered (for memory checks). */
  get trackedCount(): number {
    return this.tracks.size;
  }

  trigger(detections: Detections, timestampMs: number): ZoneState {
    if (this.lastTimestampMs !== undefined && timestampMs < this.lastTimestampMs) {
      throw shapeError('timestampMs', `a time at or after ${this.lastTimestampMs}`, String(timestampMs));
    }
    this.lastTimestampMs = timestampMs;
    const occupancyByClass = new Map<number, number>();
    const occupants: ZoneOccupant[] = [];
    const seen = new Set<number>();
    let occupancy = 0;
    let queueLength = 0;
    for (let index = 0; index < detections.length; index += 1) {
      const x = detections.anchorX(index, this.anchor);
      const y = detections.anchorY(index, this.anchor);
      if (!this.contains(x, y)) continue;
      const classId = detections.classId[index] as number;
      occupancy += 1;
      occupancyByClass.set(classId, (occupancyByClass.get(classId) ?? 0) + 1);
      const trackId = detections.trackId?.[index] ?? -1;
      if (trackId < 0) continue;
      seen.add(trackId);
      let state = this.tracks.get(trackId);
      let stopped = false;
      if (state === undefined) {
        state = { enteredAtMs: timestampMs, stoppedSinceMs: undefined, lastX: x, lastY: y, lastSeenMs: timestampMs };
        this.tracks.set(trackId, state);
      } else {
        const sinceLastMs = timestampMs - state.lastSeenMs;
        const movedPixels = Math.hypot(x - state.lastX, y - state.lastY);
        stopped = sinceLastMs > 0 && (movedPixels / sinceLastMs) * 1000 < this.stoppedSpeedPixelsPerSecond;
        if (sinceLastMs > 0) {
          state.stoppedSinceMs = stopped ? (state.stoppedSinceMs ?? state.lastSeenMs) : undefined;
          state.lastX = x;
          state.lastY = y;
        } else {
          stopped = state.stoppedSinceMs !== undefined;
        }
        state.lastSeenMs = timestampMs;
      }
      if (stopped) queueLength += 1;
      occupants.push({
        trackId,
        classId,
        dwellMs: timestampMs - state.enteredAtMs,
        stopped,
        stoppedMs: state.stoppedSinceMs === undefined ? 0 : timestampMs - state.stoppedSinceMs,
      });
    }
    // A track gone for `forgetAfterMs` ends its dwell; a parked car hidden by passing traffic for a few seconds
    // keeps it, which is what a no-stopping rule needs.
    for (const [trackId, state] of this.tracks) {
      if (!seen.has(trackId) && timestampMs - state.lastSeenMs > this.forgetAfterMs) this.tracks.delete(trackId);
    }
    return { occupancyByClass, occupancy, occupants, queueLength };
  }
}

/** Even–odd rule; points on an edge may fall either way, which is fine for boxes that move. */
export function pointInPolygon(polygon: readonly Point[], x: number, y: number): boolean {
  let inside = false;
  for (let current = 0, previous = polygon.length - 1; current < polygon.length; previous = current, current += 1) {
    const a = polygon[current] as Point;
    const b = polygon[previous] as Point;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}
