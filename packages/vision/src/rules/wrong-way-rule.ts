import type { Anchor, Detections, Point } from '../detections';
import { pointInPolygon } from '../polygon-zone';
import { shapeError } from '../shape-error';
import { VEHICLE_CLASS_IDS, type RuleFrame, type Violation } from './rule-types';
import { TrackHistory, vehicleClassOf } from './track-history';

export interface WrongWayRuleOptions {
  id: string;
  /** The zone in pixels. */
  polygon: readonly Point[];
  /** The direction traffic may move in, in image coordinates (y down); any length. */
  allowedDirection: Point;
  anchor?: Anchor;
  /** Heading = anchor now − anchor this many frames ago (smooths box jitter). */
  headingWindowFrames?: number;
  /** Frames in a row the heading must point against the allowed direction while in the zone. */
  minimumFrames?: number;
  /** Cosine between heading and allowed direction below which the track goes against it. */
  maximumCosine?: number;
  /** Below this displacement over the window a track is standing still: no heading, the count restarts. */
  minimumDisplacementBoxFraction?: number;
  vehicleClassIds?: readonly number[];
}

export const WRONG_WAY_RULE_DEFAULTS = {
  anchor: 'bottomCenter' as Anchor,
  headingWindowFrames: 5,
  minimumFrames: 5,
  maximumCosine: -0.5,
  minimumDisplacementBoxFraction: 0.1,
} as const;

/**
 * Wrong-way driving in one zone: a confirmed vehicle track whose heading over the last `headingWindowFrames`
 * points against the zone's allowed direction (cosine < −0.5) for `minimumFrames` frames in a row while its
 * anchor is in the zone. Emitted once per track, dated to the frame it was decided.
 */
export class WrongWayRule {
  readonly id: string;
  private readonly options: Required<WrongWayRuleOptions>;
  private readonly history: TrackHistory;
  private readonly againstFrames = new Map<number, number>();
  private readonly flagged = new Set<number>();
  private readonly unitX: number;
  private readonly unitY: number;

  constructor(options: WrongWayRuleOptions) {
    if (options.polygon.length < 3) throw shapeError(`wrongWay ${options.id}.polygon`, 'at least 3 points', `${options.polygon.length} points`);
    const length = Math.hypot(options.allowedDirection.x, options.allowedDirection.y);
    if (!(length > 0)) throw shapeError(`wrongWay ${options.id}.allowedDirection`, 'a non-zero vector', JSON.stringify(options.allowedDirection));
    this.id = options.id;
    this.options = {
      ...options,
      anchor: options.anchor ?? WRONG_WAY_RULE_DEFAULTS.anchor,
      headingWindowFrames: Math.max(1, Math.floor(options.headingWindowFrames ?? WRONG_WAY_RULE_DEFAULTS.headingWindowFrames)),
      minimumFrames: Math.max(1, Math.floor(options.minimumFrames ?? WRONG_WAY_RULE_DEFAULTS.minimumFrames)),
      maximumCosine: options.maximumCosine ?? WRONG_WAY_RULE_DEFAULTS.maximumCosine,
      minimumDisplacementBoxFraction: options.minimumDisplacementBoxFraction ?? WRONG_WAY_RULE_DEFAULTS.minimumDisplacementBoxFraction,
      vehicleClassIds: options.vehicleClassIds ?? VEHICLE_CLASS_IDS,
    };
    this.unitX = options.allowedDirection.x / length;
    this.unitY = options.allowedDirection.y / length;
    this.history = new TrackHistory({ anchor: this.options.anchor, maximumSamples: this.options.headingWindowFrames + 1 });
  }

  update(detections: Detections, frame: RuleFrame): Violation[] {
    const violations: Violation[] = [];
    for (const { record, index, sample } of this.history.update(detections, frame)) {
      if (this.flagged.has(record.trackId)) continue;
      const oldest = record.samples[0];
      const inZone = pointInPolygon(this.options.polygon, sample.x, sample.y);
      if (!inZone || oldest === undefined || record.samples.length <= this.options.headingWindowFrames) {
        this.againstFrames.delete(record.trackId);
        continue;
      }
      const headingX = sample.x - oldest.x;
      const headingY = sample.y - oldest.y;
      const displacement = Math.hypot(headingX, headingY);
      const cosine = displacement > 0 ? (headingX * this.unitX + headingY * this.unitY) / displacement : 0;
      if (displacement < this.options.minimumDisplacementBoxFraction * detections.heightPixels(index) || cosine >= this.options.maximumCosine) {
        this.againstFrames.delete(record.trackId);
        continue;
      }
      const frames = (this.againstFrames.get(record.trackId) ?? 0) + 1;
      this.againstFrames.set(record.trackId, frames);
      if (frames < this.options.minimumFrames) continue;
      const classId = vehicleClassOf(record, this.options.vehicleClassIds);
      if (classId === undefined) continue;
      this.flagged.add(record.trackId);
      this.againstFrames.delete(record.trackId);
      violations.push({ rule: 'carWrongDirection', ruleId: this.id, trackId: record.trackId, classId, frameIndex: frame.frameIndex, timestampMs: frame.timestampMs, decidedAtFrameIndex: frame.frameIndex, box: sample.box });
    }
    forgetGone(this.flagged, this.history);
    forgetGone(this.againstFrames, this.history);
    return violations;
  }
}

/** Drops per-track state of tracks the history forgot (bounded memory). */
export function forgetGone(keys: Set<number> | Map<number, unknown>, history: TrackHistory): void {
  for (const trackId of keys.keys()) if (history.get(trackId) === undefined) keys.delete(trackId);
}
