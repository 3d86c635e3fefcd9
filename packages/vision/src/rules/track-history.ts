import type { Anchor, Detections } from '../detections';
import { anchorFractions } from '../detections';
import type { Box, RuleFrame } from './rule-types';

export interface TrackSample {
  frameIndex: number;
  timestampMs: number;
  /** Anchor position, pixels. */
  x: number;
  y: number;
  box: Box;
}

export interface TrackRecord {
  trackId: number;
  /** Most recent last; at most `maximumSamples`. */
  samples: TrackSample[];
  classVotes: Map<number, number>;
  lastSeenFrameIndex: number;
}

export interface TrackHistoryOptions {
  anchor?: Anchor;
  /** Samples kept per track (the longest window a rule looks back over). */
  maximumSamples?: number;
  /** A track not seen for this many frames is forgotten (bounded memory over days of running). */
  forgetAfterFrames?: number;
}

export const TRACK_HISTORY_DEFAULTS = { anchor: 'bottomCenter' as Anchor, maximumSamples: 64, forgetAfterFrames: 150 } as const;

/** One observation of a confirmed track in the current frame. */
export interface TrackObservation {
  record: TrackRecord;
  /** Index of the detection in the frame's container. */
  index: number;
  sample: TrackSample;
}

/**
 * The recent path and class votes of every confirmed track: what the rules need to judge heading, speed and
 * dwell. Detections without a confirmed track (trackId −1) are skipped. Each rule owns one.
 */
export class TrackHistory {
  readonly anchor: Anchor;
  private readonly maximumSamples: number;
  private readonly forgetAfterFrames: number;
  private readonly tracks = new Map<number, TrackRecord>();

  constructor(options: TrackHistoryOptions = {}) {
    this.anchor = options.anchor ?? TRACK_HISTORY_DEFAULTS.anchor;
    anchorFractions(this.anchor);
    this.maximumSamples = Math.max(2, options.maximumSamples ?? TRACK_HISTORY_DEFAULTS.maximumSamples);
    this.forgetAfterFrames = Math.max(1, options.forgetAfterFrames ?? TRACK_HISTORY_DEFAULTS.forgetAfterFrames);
  }

  get trackedCount(): number {
    return this.tracks.size;
  }

  get(trackId: number): TrackRecord | undefined {
    return this.tracks.get(trackId);
  }

  /** Records this frame's confirmed tracks and returns them; forgets tracks gone too long. */
  update(detections: Detections, frame: RuleFrame): TrackObservation[] {
    const observations: TrackObservation[] = [];
    const trackIds = detections.trackId;
    if (trackIds !== undefined) {
      for (let index = 0; index < detections.length; index += 1) {
        const trackId = trackIds[index] as number;
        if (trackId < 0) continue;
        let record = this.tracks.get(trackId);
        if (record === undefined) {
          record = { trackId, samples: [], classVotes: new Map(), lastSeenFrameIndex: frame.frameIndex };
          this.tracks.set(trackId, record);
        }
        const box: Box = [detections.xyxy[index * 4] as number, detections.xyxy[index * 4 + 1] as number, detections.xyxy[index * 4 + 2] as number, detections.xyxy[index * 4 + 3] as number];
        const sample: TrackSample = { frameIndex: frame.frameIndex, timestampMs: frame.timestampMs, x: detections.anchorX(index, this.anchor), y: detections.anchorY(index, this.anchor), box };
        record.samples.push(sample);
        if (record.samples.length > this.maximumSamples) record.samples.shift();
        const classId = detections.classId[index] as number;
        record.classVotes.set(classId, (record.classVotes.get(classId) ?? 0) + 1);
        record.lastSeenFrameIndex = frame.frameIndex;
        observations.push({ record, index, sample });
      }
    }
    for (const [trackId, record] of this.tracks) {
      if (frame.frameIndex - record.lastSeenFrameIndex > this.forgetAfterFrames) this.tracks.delete(trackId);
    }
    return observations;
  }
}

/**
 * The vehicle class a track was seen as most often, counting only vehicle classes: a rider flickers between
 * `person` and `motorcycle` and is a motorcycle. `undefined` when the track was never seen as a vehicle.
 */
export function vehicleClassOf(record: TrackRecord, vehicleClassIds: readonly number[]): number | undefined {
  let best: number | undefined;
  let bestVotes = 0;
  for (const [classId, votes] of record.classVotes) {
    if (!vehicleClassIds.includes(classId)) continue;
    if (votes > bestVotes) {
      best = classId;
      bestVotes = votes;
    }
  }
  return best;
}

export function boxIntersectionOverUnion(left: Box, right: Box): number {
  const width = Math.min(left[2], right[2]) - Math.max(left[0], right[0]);
  const height = Math.min(left[3], right[3]) - Math.max(left[1], right[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = (left[2] - left[0]) * (left[3] - left[1]) + (right[2] - right[0]) * (right[3] - right[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Whether segment a→b meets segment c→d; touching counts, collinear overlap does not (a path along a line). */
export function segmentsIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const side = (px: number, py: number, qx: number, qy: number, rx: number, ry: number): number => Math.sign((qx - px) * (ry - py) - (qy - py) * (rx - px));
  const a = side(cx, cy, dx, dy, ax, ay);
  const b = side(cx, cy, dx, dy, bx, by);
  const c = side(ax, ay, bx, by, cx, cy);
  const d = side(ax, ay, bx, by, dx, dy);
  if (a === 0 && b === 0) return false;
  return a !== b && c !== d && a * b <= 0 && c * d <= 0;
}
