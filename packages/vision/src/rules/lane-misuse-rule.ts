import type { Anchor, Detections, Point } from '../detections';
import { pointInPolygon } from '../polygon-zone';
import { shapeError } from '../shape-error';
import { VEHICLE_CLASS_IDS, type RuleFrame, type Violation } from './rule-types';
import { TrackHistory, vehicleClassOf } from './track-history';
import { forgetGone } from './wrong-way-rule';

export interface LaneMisuseRuleOptions {
  id: string;
  /** The lane in pixels. */
  polygon: readonly Point[];
  /** Vehicle classes allowed in the lane (e.g. motorcycle and bicycle in a motorbike lane). */
  allowedClassIds: readonly number[];
  anchor?: Anchor;
  /** Frames in a row in the lane before a vehicle of another class is flagged (not a lane change passing through). */
  minimumFrames?: number;
  vehicleClassIds?: readonly number[];
}

export const LANE_MISUSE_RULE_DEFAULTS = { anchor: 'bottomCenter' as Anchor, minimumFrames: 10 } as const;

/**
 * Lane misuse: a vehicle whose class (the one it was seen as most often) is not allowed in a lane zone, present
 * in it for `minimumFrames` frames in a row. Emitted once per track.
 */
export class LaneMisuseRule {
  readonly id: string;
  private readonly polygon: readonly Point[];
  private readonly allowedClassIds: ReadonlySet<number>;
  private readonly minimumFrames: number;
  private readonly vehicleClassIds: readonly number[];
  private readonly history: TrackHistory;
  private readonly presentFrames = new Map<number, number>();
  private readonly flagged = new Set<number>();

  constructor(options: LaneMisuseRuleOptions) {
    if (options.polygon.length < 3) throw shapeError(`laneMisuse ${options.id}.polygon`, 'at least 3 points', `${options.polygon.length} points`);
    this.id = options.id;
    this.polygon = options.polygon.map((point) => ({ ...point }));
    this.allowedClassIds = new Set(options.allowedClassIds);
    this.minimumFrames = Math.max(1, Math.floor(options.minimumFrames ?? LANE_MISUSE_RULE_DEFAULTS.minimumFrames));
    this.vehicleClassIds = options.vehicleClassIds ?? VEHICLE_CLASS_IDS;
    this.history = new TrackHistory({ anchor: options.anchor ?? LANE_MISUSE_RULE_DEFAULTS.anchor, maximumSamples: 2 });
  }

  update(detections: Detections, frame: RuleFrame): Violation[] {
    const violations: Violation[] = [];
    for (const { record, sample } of this.history.update(detections, frame)) {
      if (this.flagged.has(record.trackId)) continue;
      const classId = vehicleClassOf(record, this.vehicleClassIds);
      if (classId === undefined || this.allowedClassIds.has(classId) || !pointInPolygon(this.polygon, sample.x, sample.y)) {
        this.presentFrames.delete(record.trackId);
        continue;
      }
      const frames = (this.presentFrames.get(record.trackId) ?? 0) + 1;
      this.presentFrames.set(record.trackId, frames);
      if (frames < this.minimumFrames) continue;
      this.flagged.add(record.trackId);
      this.presentFrames.delete(record.trackId);
      violations.push({ rule: 'laneViolation', ruleId: this.id, trackId: record.trackId, classId, frameIndex: frame.frameIndex, timestampMs: frame.timestampMs, decidedAtFrameIndex: frame.frameIndex, box: sample.box });
    }
    forgetGone(this.flagged, this.history);
    forgetGone(this.presentFrames, this.history);
    return violations;
  }
}
