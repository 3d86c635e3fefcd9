import type { CameraConfig, ExitGeometryConfig } from '@ioc/schemas';
import {
  LaneMisuseRule,
  NoStoppingRule,
  RedLightRule,
  SpeedingRule,
  WrongWayRule,
  homographyFromFourPoints,
  type Detections,
  type ExitGeometry,
  type Point,
  type RuleFrame,
  type Violation,
} from '@ioc/vision';

/** COCO ids per Smart Data Models vehicle type (the reverse of `mapCocoToTraffic`). */
const COCO_IDS_BY_VEHICLE_TYPE: Readonly<Record<string, number>> = { bicycle: 1, car: 2, motorcycle: 3, bus: 5, lorry: 7 };

interface FrameSize {
  widthPixels: number;
  heightPixels: number;
}

function toPixels(point: readonly [number, number], size: FrameSize): Point {
  return { x: point[0] * size.widthPixels, y: point[1] * size.heightPixels };
}

function exitToPixels(exit: ExitGeometryConfig, size: FrameSize): ExitGeometry {
  if ('polygon' in exit) return { polygon: exit.polygon.map((point) => toPixels(point, size)) };
  return { line: [toPixels(exit.line[0], size), toPixels(exit.line[1], size)] };
}

interface Rule {
  update(detections: Detections, frame: RuleFrame): Violation[];
}

/**
 * Every violation rule a camera config asks for, built in pixels of the analysed frame: red light per stop line,
 * illegal stopping per `noStopping` zone, speeding (with the four-point calibration), lane misuse per lane and
 * wrong way per zone. Feed it the tracked detections of each analysed frame with the signal states.
 */
export class CameraViolationRules {
  readonly #rules: Rule[] = [];

  constructor(camera: CameraConfig, frameSize: FrameSize) {
    const anchor = camera.anchor;
    for (const line of camera.stopLines) {
      this.#rules.push(
        new RedLightRule({
          id: line.id,
          stopLine: [toPixels(line.points[0], frameSize), toPixels(line.points[1], frameSize)],
          approach: line.approach,
          signalGroupId: line.signalGroup,
          anchor,
          frontOffsetBoxFraction: line.frontOffsetBoxFraction,
          allowedExits: line.allowedExits.map((exit) => exitToPixels(exit, frameSize)),
          straightExits: line.straightExits.map((exit) => exitToPixels(exit, frameSize)),
          ...(line.confirmDistance === undefined ? {} : { confirmDistancePixels: line.confirmDistance * frameSize.heightPixels }),
        }),
      );
    }
    for (const zone of camera.zones) {
      if (zone.kind !== 'noStopping' || zone.maxDwellSeconds === undefined) continue;
      this.#rules.push(new NoStoppingRule({ id: zone.id, polygon: zone.polygon.map((point) => toPixels(point, frameSize)), maximumStoppedMs: zone.maxDwellSeconds * 1000, anchor }));
    }
    if (camera.speeding !== undefined && camera.calibration !== undefined) {
      const { speeding, calibration } = camera;
      this.#rules.push(
        new SpeedingRule({
          id: speeding.id,
          homography: homographyFromFourPoints(
            calibration.imagePoints.map((point) => toPixels(point, frameSize)),
            calibration.groundPointsMeters.map(([x, y]) => ({ x, y })),
          ),
          speedLimitKmh: speeding.speedLimitKmh,
          ...(speeding.polygon === undefined ? {} : { polygon: speeding.polygon.map((point) => toPixels(point, frameSize)) }),
          windowMs: speeding.windowSeconds * 1000,
          minimumFrames: speeding.minimumFrames,
          certified: calibration.certified,
          anchor,
        }),
      );
    }
    for (const lane of camera.lanes) {
      this.#rules.push(
        new LaneMisuseRule({
          id: lane.id,
          polygon: lane.polygon.map((point) => toPixels(point, frameSize)),
          allowedClassIds: lane.allowedVehicleTypes.map((type) => COCO_IDS_BY_VEHICLE_TYPE[type] as number),
          minimumFrames: lane.minimumFrames,
          anchor,
        }),
      );
    }
    for (const zone of camera.wrongWayZones) {
      this.#rules.push(
        new WrongWayRule({
          id: zone.id,
          polygon: zone.polygon.map((point) => toPixels(point, frameSize)),
          allowedDirection: { x: zone.allowedDirection[0] * frameSize.widthPixels, y: zone.allowedDirection[1] * frameSize.heightPixels },
          headingWindowFrames: zone.headingWindowFrames,
          minimumFrames: zone.minimumFrames,
          anchor,
        }),
      );
    }
  }

  get ruleCount(): number {
    return this.#rules.length;
  }

  update(tracked: Detections, frame: RuleFrame): Violation[] {
    return this.#rules.flatMap((rule) => rule.update(tracked, frame));
  }
}
