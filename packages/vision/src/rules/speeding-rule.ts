import type { Anchor, Detections, Point } from '../detections';
import { projectToGround, type Homography } from '../homography';
import { pointInPolygon } from '../polygon-zone';
import { shapeError } from '../shape-error';
import { VEHICLE_CLASS_IDS, type RuleFrame, type Violation } from './rule-types';
import { TrackHistory, vehicleClassOf, type TrackSample } from './track-history';
import { forgetGone } from './wrong-way-rule';

export interface SpeedingRuleOptions {
  id: string;
  /** Image → ground-plane homography of the camera (`homographyFromFourPoints`). */
  homography: Homography;
  speedLimitKmh: number;
  /** Speeds are measured only here (the calibrated stretch of road); the whole frame when absent. */
  polygon?: readonly Point[];
  anchor?: Anchor;
  /** Speed = ground distance over the last `windowMs` (at least two samples) / time. */
  windowMs?: number;
  /** Frames in a row above the limit before the track is flagged. */
  minimumFrames?: number;
  /** A certified camera's speeds are evidence; any other camera's are advisory. */
  certified?: boolean;
  vehicleClassIds?: readonly number[];
}

export const SPEEDING_RULE_DEFAULTS = { anchor: 'bottomCenter' as Anchor, windowMs: 1000, minimumFrames: 3, certified: false } as const;

/**
 * Speeding: a vehicle's ground speed, from the anchor's positions projected through the camera's four-point
 * calibration over a sliding window, above the limit for `minimumFrames` frames in a row. The violation carries
 * the highest windowed speed seen while above the limit and `advisory: true` unless the camera is certified.
 */
export class SpeedingRule {
  readonly id: string;
  private readonly options: Required<Omit<SpeedingRuleOptions, 'polygon'>> & { polygon: readonly Point[] | undefined };
  private readonly history: TrackHistory;
  private readonly above = new Map<number, { frames: number; maximumKmh: number }>();
  private readonly flagged = new Set<number>();

  constructor(options: SpeedingRuleOptions) {
    if (options.homography.length !== 9) throw shapeError(`speeding ${options.id}.homography`, 'a 3×3 matrix (9 numbers)', `${options.homography.length} numbers`);
    if (!(options.speedLimitKmh > 0)) throw shapeError(`speeding ${options.id}.speedLimitKmh`, 'a positive number', String(options.speedLimitKmh));
    this.id = options.id;
    this.options = {
      ...options,
      polygon: options.polygon,
      anchor: options.anchor ?? SPEEDING_RULE_DEFAULTS.anchor,
      windowMs: options.windowMs ?? SPEEDING_RULE_DEFAULTS.windowMs,
      minimumFrames: Math.max(1, Math.floor(options.minimumFrames ?? SPEEDING_RULE_DEFAULTS.minimumFrames)),
      certified: options.certified ?? SPEEDING_RULE_DEFAULTS.certified,
      vehicleClassIds: options.vehicleClassIds ?? VEHICLE_CLASS_IDS,
    };
    this.history = new TrackHistory({ anchor: this.options.anchor, maximumSamples: 120 });
  }

  /** Ground speed over the window ending at the newest sample, km/h; undefined with too short a path. */
  speedKmh(samples: readonly TrackSample[]): number | undefined {
    const newest = samples[samples.length - 1];
    if (newest === undefined) return undefined;
    let oldest: TrackSample | undefined;
    for (const sample of samples) {
      if (newest.timestampMs - sample.timestampMs <= this.options.windowMs) {
        oldest = sample;
        break;
      }
    }
    if (oldest === undefined || oldest === newest || newest.timestampMs <= oldest.timestampMs) return undefined;
    const from = projectToGround(this.options.homography, oldest.x, oldest.y);
    const to = projectToGround(this.options.homography, newest.x, newest.y);
    const meters = Math.hypot(to.xMeters - from.xMeters, to.yMeters - from.yMeters);
    if (!Number.isFinite(meters)) return undefined;
    return (meters / ((newest.timestampMs - oldest.timestampMs) / 1000)) * 3.6;
  }

  update(detections: Detections, frame: RuleFrame): Violation[] {
    const violations: Violation[] = [];
    for (const { record, sample } of this.history.update(detections, frame)) {
      if (this.flagged.has(record.trackId)) continue;
      const inside = this.options.polygon === undefined || pointInPolygon(this.options.polygon, sample.x, sample.y);
      // Samples from before the track entered the calibrated stretch are not used.
      if (!inside) record.samples.splice(0, record.samples.length - 1);
      const speed = inside ? this.speedKmh(record.samples) : undefined;
      if (speed === undefined || speed <= this.options.speedLimitKmh) {
        this.above.delete(record.trackId);
        continue;
      }
      const state = this.above.get(record.trackId) ?? { frames: 0, maximumKmh: 0 };
      state.frames += 1;
      state.maximumKmh = Math.max(state.maximumKmh, speed);
      this.above.set(record.trackId, state);
      if (state.frames < this.options.minimumFrames) continue;
      const classId = vehicleClassOf(record, this.options.vehicleClassIds);
      if (classId === undefined) continue;
      this.flagged.add(record.trackId);
      this.above.delete(record.trackId);
      violations.push({
        rule: 'speeding',
        ruleId: this.id,
        trackId: record.trackId,
        classId,
        frameIndex: frame.frameIndex,
        timestampMs: frame.timestampMs,
        decidedAtFrameIndex: frame.frameIndex,
        box: sample.box,
        speedKmh: Math.round(state.maximumKmh * 10) / 10,
        advisory: !this.options.certified,
      });
    }
    forgetGone(this.flagged, this.history);
    forgetGone(this.above, this.history);
    return violations;
  }
}
