import type { Anchor, Detections, Point } from '../detections';
import { pointInPolygon } from '../polygon-zone';
import { shapeError } from '../shape-error';
import { VEHICLE_CLASS_IDS, type Box, type ExitGeometry, type RuleFrame, type Violation } from './rule-types';
import { TrackHistory, boxIntersectionOverUnion, segmentsIntersect, vehicleClassOf, type TrackObservation, type TrackRecord, type TrackSample } from './track-history';

export interface RedLightRuleOptions {
  /** Id of the stop line (reported as the violation's `ruleId`). */
  id: string;
  /** The stop line in pixels, directed: forward = toward its normal (−dy, dx), y down (as `LineZone`). */
  stopLine: readonly [Point, Point];
  /** Which way traffic of this approach crosses the stop line. */
  approach: 'forward' | 'backward';
  /** The signal group that governs this approach (key into `RuleFrame.signalStates`). */
  signalGroupId: string;
  anchor?: Anchor;
  /**
   * The judged point is the anchor moved this share of the box height in the approach direction. A vehicle seen
   * from behind has its box bottom at its rear wheel; its front, which is what passes the stop line, is higher
   * in the image. 0 judges the anchor itself.
   */
  frontOffsetBoxFraction?: number;
  /** Dead band around the stop line as a share of the box height: closer than this is on the line, no side. */
  deadBandBoxFraction?: number;
  /** Movements allowed while the group is red (a right turn on a green arrow): entering one clears the track. */
  allowedExits?: readonly ExitGeometry[];
  /** Entering one of these after crossing on red confirms a straight (forbidden) movement. */
  straightExits?: readonly ExitGeometry[];
  /** A candidate this far past the stop line (perpendicular, pixels) without having entered an allowed exit is confirmed. */
  confirmDistancePixels?: number;
  /**
   * A track unseen for longer than this may come back as another vehicle (the tracker re-identifies across
   * gaps, scene cuts): its side of the stop line before the gap is not trusted for a crossing.
   */
  maximumGapMs?: number;
  /** A candidate neither cleared nor confirmed within this time is dropped (not enough evidence). */
  decisionTimeoutMs?: number;
  /** Classes that can run a red light; a track never seen as one of them (a pedestrian) is ignored. */
  vehicleClassIds?: readonly number[];
  /** Two violations within this many frames whose crossing boxes overlap this much are one vehicle tracked twice. */
  duplicateWindowFrames?: number;
  duplicateMinimumOverlap?: number;
}

export const RED_LIGHT_RULE_DEFAULTS = {
  anchor: 'bottomCenter' as Anchor,
  frontOffsetBoxFraction: 0,
  deadBandBoxFraction: 0.05,
  maximumGapMs: 700,
  decisionTimeoutMs: 15_000,
  duplicateWindowFrames: 3,
  duplicateMinimumOverlap: 0.5,
} as const;

const RECENT_KEPT_FRAMES = 300;

interface Candidate {
  crossing: TrackSample;
  /** Last judged point, for exit lines crossed between frames. */
  lastX: number;
  lastY: number;
}

interface TrackCrossingState {
  /** Last judged point seen behind the stop line (outside the dead band). */
  behind: { x: number; y: number } | undefined;
  candidate: Candidate | undefined;
  /** Cleared or flagged: this track is not judged again by this rule. */
  decided: boolean;
  lastSeenMs: number;
}

/**
 * Red-light running at one stop line: a vehicle whose judged point crosses the stop line in the approach
 * direction while its signal group is red becomes a candidate; it is cleared if it then enters a movement
 * allowed on an arrow (e.g. a right-turn exit), and flagged once it goes straight (enters a straight exit,
 * crosses a confirmation line, or gets `confirmDistancePixels` past the line without turning). The violation
 * is dated to the frame the stop line was crossed. Call `update` once per frame, in order.
 */
export class RedLightRule {
  readonly id: string;
  private readonly options: Required<Omit<RedLightRuleOptions, 'confirmDistancePixels'>> & { confirmDistancePixels: number | undefined };
  private readonly history: TrackHistory;
  private readonly states = new Map<number, TrackCrossingState>();
  private readonly recent: Array<{ frameIndex: number; decidedAtFrameIndex: number; box: Box }> = [];
  /** Unit normal pointing past the stop line in the approach direction. */
  private readonly beyondX: number;
  private readonly beyondY: number;

  constructor(options: RedLightRuleOptions) {
    const [start, end] = options.stopLine;
    if (![start.x, start.y, end.x, end.y].every(Number.isFinite) || (start.x === end.x && start.y === end.y)) {
      throw shapeError(`redLight ${options.id}.stopLine`, 'two distinct finite points', JSON.stringify(options.stopLine));
    }
    if (options.approach !== 'forward' && options.approach !== 'backward') throw shapeError(`redLight ${options.id}.approach`, "'forward' or 'backward'", JSON.stringify(options.approach));
    this.id = options.id;
    this.options = {
      ...options,
      anchor: options.anchor ?? RED_LIGHT_RULE_DEFAULTS.anchor,
      frontOffsetBoxFraction: options.frontOffsetBoxFraction ?? RED_LIGHT_RULE_DEFAULTS.frontOffsetBoxFraction,
      deadBandBoxFraction: options.deadBandBoxFraction ?? RED_LIGHT_RULE_DEFAULTS.deadBandBoxFraction,
      allowedExits: options.allowedExits ?? [],
      straightExits: options.straightExits ?? [],
      confirmDistancePixels: options.confirmDistancePixels,
      maximumGapMs: options.maximumGapMs ?? RED_LIGHT_RULE_DEFAULTS.maximumGapMs,
      decisionTimeoutMs: options.decisionTimeoutMs ?? RED_LIGHT_RULE_DEFAULTS.decisionTimeoutMs,
      vehicleClassIds: options.vehicleClassIds ?? VEHICLE_CLASS_IDS,
      duplicateWindowFrames: options.duplicateWindowFrames ?? RED_LIGHT_RULE_DEFAULTS.duplicateWindowFrames,
      duplicateMinimumOverlap: options.duplicateMinimumOverlap ?? RED_LIGHT_RULE_DEFAULTS.duplicateMinimumOverlap,
    };
    if (this.options.straightExits.length === 0 && this.options.confirmDistancePixels === undefined) {
      throw shapeError(`redLight ${options.id}`, 'straightExits or confirmDistancePixels (how a straight movement is confirmed)', 'neither');
    }
    const length = Math.hypot(end.x - start.x, end.y - start.y);
    const sign = options.approach === 'forward' ? 1 : -1;
    this.beyondX = (sign * -(end.y - start.y)) / length;
    this.beyondY = (sign * (end.x - start.x)) / length;
    this.history = new TrackHistory({ anchor: this.options.anchor, maximumSamples: 2 });
  }

  /** Signed distance of a point past the stop line in the approach direction (negative: still behind it). */
  distancePastLine(x: number, y: number): number {
    const start = this.options.stopLine[0];
    return (x - start.x) * this.beyondX + (y - start.y) * this.beyondY;
  }

  update(detections: Detections, frame: RuleFrame): Violation[] {
    const violations: Violation[] = [];
    for (const observation of this.history.update(detections, frame)) {
      const violation = this.observe(observation, detections, frame);
      if (violation !== undefined && !this.isDuplicate(violation)) violations.push(violation);
    }
    for (const [trackId] of this.states) if (this.history.get(trackId) === undefined) this.states.delete(trackId);
    // Kept a while after the decision: the twin of a doubly tracked vehicle may be decided some frames later.
    while (this.recent.length > 0 && frame.frameIndex - (this.recent[0] as { decidedAtFrameIndex: number }).decidedAtFrameIndex > RECENT_KEPT_FRAMES) this.recent.shift();
    return violations;
  }

  private observe(observation: TrackObservation, detections: Detections, frame: RuleFrame): Violation | undefined {
    const { record, index, sample } = observation;
    let state = this.states.get(record.trackId);
    if (state === undefined) {
      state = { behind: undefined, candidate: undefined, decided: false, lastSeenMs: frame.timestampMs };
      this.states.set(record.trackId, state);
    }
    if (frame.timestampMs - state.lastSeenMs > this.options.maximumGapMs) {
      state.behind = undefined;
      state.candidate = undefined;
    }
    state.lastSeenMs = frame.timestampMs;
    if (state.decided) return undefined;
    const heightPixels = detections.heightPixels(index);
    const offset = this.options.frontOffsetBoxFraction * heightPixels;
    const x = sample.x + offset * this.beyondX;
    const y = sample.y + offset * this.beyondY;
    const distance = this.distancePastLine(x, y);
    const deadBand = this.options.deadBandBoxFraction * heightPixels;

    if (distance < -deadBand) {
      // Back behind the line (a queued vehicle jittering on it): any candidate was not a crossing.
      state.behind = { x, y };
      state.candidate = undefined;
      return undefined;
    }
    if (state.candidate === undefined) {
      if (distance <= deadBand || state.behind === undefined) return undefined;
      const [start, end] = this.options.stopLine;
      const crossedSegment = segmentsIntersect(state.behind.x, state.behind.y, x, y, start.x, start.y, end.x, end.y);
      state.behind = undefined;
      if (!crossedSegment) return undefined;
      if (frame.signalStates?.[this.options.signalGroupId] !== 'red') {
        state.decided = true; // crossed on green, amber or an unknown signal: nothing to prove
        return undefined;
      }
      state.candidate = { crossing: { ...sample, x, y }, lastX: x, lastY: y };
    }
    return this.judgeCandidate(state, record, x, y, distance, frame);
  }

  private judgeCandidate(state: TrackCrossingState, record: TrackRecord, x: number, y: number, distance: number, frame: RuleFrame): Violation | undefined {
    const candidate = state.candidate as Candidate;
    const fromX = candidate.lastX;
    const fromY = candidate.lastY;
    candidate.lastX = x;
    candidate.lastY = y;
    if (this.options.allowedExits.some((exit) => entersExit(exit, fromX, fromY, x, y))) {
      state.decided = true;
      state.candidate = undefined;
      return undefined;
    }
    const straight =
      this.options.straightExits.some((exit) => entersExit(exit, fromX, fromY, x, y)) ||
      (this.options.confirmDistancePixels !== undefined && distance >= this.options.confirmDistancePixels);
    if (!straight) {
      if (frame.timestampMs - candidate.crossing.timestampMs > this.options.decisionTimeoutMs) {
        state.decided = true;
        state.candidate = undefined;
      }
      return undefined;
    }
    state.decided = true;
    state.candidate = undefined;
    const classId = vehicleClassOf(record, this.options.vehicleClassIds);
    if (classId === undefined) return undefined;
    return {
      rule: 'redLightViolation',
      ruleId: this.id,
      trackId: record.trackId,
      classId,
      frameIndex: candidate.crossing.frameIndex,
      timestampMs: candidate.crossing.timestampMs,
      decidedAtFrameIndex: frame.frameIndex,
      box: candidate.crossing.box,
      signalGroupId: this.options.signalGroupId,
    };
  }

  private isDuplicate(violation: Violation): boolean {
    const duplicate = this.recent.some(
      (other) => Math.abs(other.frameIndex - violation.frameIndex) <= this.options.duplicateWindowFrames && boxIntersectionOverUnion(other.box, violation.box) >= this.options.duplicateMinimumOverlap,
    );
    this.recent.push({ frameIndex: violation.frameIndex, decidedAtFrameIndex: violation.decidedAtFrameIndex, box: violation.box });
    return duplicate;
  }
}

/** Whether a judged point moving from (fromX, fromY) to (x, y) is inside an exit zone or crossed an exit line. */
export function entersExit(exit: ExitGeometry, fromX: number, fromY: number, x: number, y: number): boolean {
  if ('polygon' in exit) return pointInPolygon(exit.polygon, x, y);
  const [start, end] = exit.line;
  return segmentsIntersect(fromX, fromY, x, y, start.x, start.y, end.x, end.y);
}
