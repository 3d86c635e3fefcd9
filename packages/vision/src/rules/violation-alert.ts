import type { Alert, GeoPoint } from '@ioc/schemas';
import { COCO_LABELS, mapCocoToTraffic } from '../classes';
import type { Violation, ViolationRuleName } from './rule-types';

/** How serious each rule is for the police queue (Smart Data Models `Alert.severity`). */
export const VIOLATION_SEVERITY: Readonly<Record<ViolationRuleName, Alert['severity']>> = {
  redLightViolation: 'high',
  carWrongDirection: 'high',
  speeding: 'medium',
  laneViolation: 'medium',
  carStopped: 'low',
};

const RULE_TITLES: Readonly<Record<ViolationRuleName, string>> = {
  redLightViolation: 'Vượt đèn đỏ (red-light running)',
  carWrongDirection: 'Đi ngược chiều (wrong way)',
  speeding: 'Quá tốc độ (speeding)',
  laneViolation: 'Đi sai làn (lane misuse)',
  carStopped: 'Dừng đỗ sai quy định (illegal stopping)',
};

export interface ViolationAlertContext {
  /** The camera that saw it: the alert's `alertSource`. */
  cameraId: string;
  /** When the violation happened (the frame's wall-clock time). */
  dateIssued: Date;
  location?: GeoPoint | undefined;
  districtCode?: string | undefined;
}

/** The class a person reads: the traffic class (motorcycle, car…) or the COCO label. */
export function violationClassName(classId: number): string {
  return mapCocoToTraffic(classId) ?? COCO_LABELS[classId] ?? `class ${classId}`;
}

/**
 * A violation as a Smart Data Models `Alert` (category traffic, the rule as subCategory, severity by rule).
 * The id is stable for one camera, rule, track and frame, so a replayed analysis writes the same alert.
 * Advisory speeds (uncalibrated or uncertified cameras) are said so in the description and lowered to `low`.
 * Evidence and plate are added later by the evidence builder.
 */
export function violationToAlert(violation: Violation, context: ViolationAlertContext): Alert {
  const className = violationClassName(violation.classId);
  const details: string[] = [`${RULE_TITLES[violation.rule]}: ${className}, track ${violation.trackId}, ${violation.ruleId}, frame ${violation.frameIndex}`];
  if (violation.speedKmh !== undefined) details.push(`${violation.speedKmh} km/h${violation.advisory ? ' (advisory: camera not certified)' : ''}`);
  if (violation.stoppedMs !== undefined) details.push(`stopped ${Math.round(violation.stoppedMs / 1000)} s`);
  if (violation.signalGroupId !== undefined) details.push(`signal group ${violation.signalGroupId} red`);
  return {
    id: `urn:ngsi-ld:Alert:${context.cameraId}:${violation.rule}:${violation.ruleId}:${violation.trackId}:${violation.frameIndex}`.slice(0, 128),
    type: 'Alert',
    category: 'traffic',
    subCategory: violation.rule,
    severity: violation.advisory ? 'low' : VIOLATION_SEVERITY[violation.rule],
    dateIssued: context.dateIssued.toISOString(),
    description: details.join('; '),
    alertSource: context.cameraId,
    trackId: violation.trackId,
    ...(context.location === undefined ? {} : { location: context.location }),
    ...(context.districtCode === undefined ? {} : { districtCode: context.districtCode }),
  };
}
