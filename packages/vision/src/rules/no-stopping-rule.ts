import type { Anchor, Detections, Point } from '../detections';
import { PolygonZone } from '../polygon-zone';
import { VEHICLE_CLASS_IDS, type RuleFrame, type Violation } from './rule-types';
import { TrackHistory, vehicleClassOf } from './track-history';
import { forgetGone } from './wrong-way-rule';

export interface NoStoppingRuleOptions {
  id: string;
  polygon: readonly Point[];
  /** A vehicle stopped in the zone longer than this is flagged. */
  maximumStoppedMs: number;
  anchor?: Anchor;
  /**
   * Slower than this counts as stopped (`PolygonZone`). Box jitter of a parked car is a few pixels a frame, so
   * the default is higher than the zone's own.
   */
  stoppedSpeedPixelsPerSecond?: number;
  /** A vehicle hidden by passing traffic for up to this long keeps its dwell. */
  forgetAfterMs?: number;
  vehicleClassIds?: readonly number[];
}

export const NO_STOPPING_RULE_DEFAULTS = { anchor: 'bottomCenter' as Anchor, stoppedSpeedPixelsPerSecond: 15, forgetAfterMs: 10_000 } as const;

/**
 * Illegal stopping or parking: a vehicle track stopped (anchor nearly still) inside a no-stopping zone for longer
 * than `maximumStoppedMs`, judged by a `PolygonZone`. Emitted once per track, at the frame the limit is passed.
 */
export class NoStoppingRule {
  readonly id: string;
  private readonly zone: PolygonZone;
  private readonly history: TrackHistory;
  private readonly maximumStoppedMs: number;
  private readonly vehicleClassIds: readonly number[];
  private readonly flagged = new Set<number>();

  constructor(options: NoStoppingRuleOptions) {
    this.id = options.id;
    const anchor = options.anchor ?? NO_STOPPING_RULE_DEFAULTS.anchor;
    this.zone = new PolygonZone({
      polygon: options.polygon,
      anchor,
      stoppedSpeedPixelsPerSecond: options.stoppedSpeedPixelsPerSecond ?? NO_STOPPING_RULE_DEFAULTS.stoppedSpeedPixelsPerSecond,
      forgetAfterMs: options.forgetAfterMs ?? NO_STOPPING_RULE_DEFAULTS.forgetAfterMs,
    });
    this.history = new TrackHistory({ anchor, maximumSamples: 2, forgetAfterFrames: 10_000 });
    this.maximumStoppedMs = options.maximumStoppedMs;
    this.vehicleClassIds = options.vehicleClassIds ?? VEHICLE_CLASS_IDS;
  }

  update(detections: Detections, frame: RuleFrame): Violation[] {
    const observations = this.history.update(detections, frame);
    const state = this.zone.trigger(detections, frame.timestampMs);
    const violations: Violation[] = [];
    for (const occupant of state.occupants) {
      if (occupant.stoppedMs < this.maximumStoppedMs || this.flagged.has(occupant.trackId)) continue;
      const observation = observations.find((item) => item.record.trackId === occupant.trackId);
      if (observation === undefined) continue;
      const classId = vehicleClassOf(observation.record, this.vehicleClassIds);
      if (classId === undefined) continue;
      this.flagged.add(occupant.trackId);
      violations.push({
        rule: 'carStopped',
        ruleId: this.id,
        trackId: occupant.trackId,
        classId,
        frameIndex: frame.frameIndex,
        timestampMs: frame.timestampMs,
        decidedAtFrameIndex: frame.frameIndex,
        box: observation.sample.box,
        stoppedMs: occupant.stoppedMs,
      });
    }
    forgetGone(this.flagged, this.history);
    return violations;
  }
}
