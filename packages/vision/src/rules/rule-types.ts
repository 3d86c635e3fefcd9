import type { Alert } from '@ioc/schemas';
import { COCO_CLASS_IDS } from '../classes';
import type { Point } from '../detections';

/** What a signal group shows: one lamp colour, or `unknown` when it cannot be told (dark, occluded, no feed). */
export type SignalState = 'red' | 'amber' | 'green' | 'unknown';

export const SIGNAL_STATES: readonly SignalState[] = ['red', 'amber', 'green', 'unknown'];

/** What every rule is told about the frame besides its tracked detections. */
export interface RuleFrame {
  /** 0-based index of the frame in decode order (what a violation reports). */
  frameIndex: number;
  /** Stream time of the frame. */
  timestampMs: number;
  /** The state of each signal group at this frame, by group id (red-light rules only). */
  signalStates?: Readonly<Record<string, SignalState>>;
}

/** The rule names are the Smart Data Models `Alert` subCategory each rule emits. */
export type ViolationRuleName = Extract<Alert['subCategory'], 'redLightViolation' | 'carWrongDirection' | 'carStopped' | 'speeding' | 'laneViolation'>;

export type Box = [number, number, number, number];

/** One violation, emitted once per track and configured rule. */
export interface Violation {
  rule: ViolationRuleName;
  /** Id of the configured geometry (stop line, zone, lane) that the rule watches. */
  ruleId: string;
  trackId: number;
  /** The class the track was seen as most often among vehicle classes (riders count for their bike). */
  classId: number;
  /** The frame the violation is dated to: the stop-line crossing for red light, else the frame it was decided. */
  frameIndex: number;
  timestampMs: number;
  /** The frame at which the rule was sure (red light: the frame the straight movement was confirmed). */
  decidedAtFrameIndex: number;
  /** The box at `frameIndex`, pixels (evidence drawing). */
  box: Box;
  /** Speeding: measured speed; advisory unless the camera is certified. */
  speedKmh?: number;
  advisory?: boolean;
  /** No stopping: how long the vehicle had been stopped when flagged. */
  stoppedMs?: number;
  /** Red light: the signal group and its state at the crossing. */
  signalGroupId?: string;
}

/** COCO ids of vehicles (bicycle, car, motorcycle, bus, truck): a track only seen as `person` is not a vehicle. */
export const VEHICLE_CLASS_IDS: readonly number[] = [COCO_CLASS_IDS.bicycle, COCO_CLASS_IDS.car, COCO_CLASS_IDS.motorcycle, COCO_CLASS_IDS.bus, COCO_CLASS_IDS.truck];

/** A polygon or a line segment in pixels: where a movement goes (red-light exits, confirmation lines). */
export type ExitGeometry = { polygon: readonly Point[] } | { line: readonly [Point, Point] };
