import { COCO_CLASS_IDS } from './classes';
import { Detections } from './detections';

export interface FuseRidersClasses {
  personClassId?: number;
  /** Classes a person can ride; the fused object takes the ridden object's class. Default motorcycle, bicycle. */
  rideableClassIds?: readonly number[];
}

export interface FuseRidersOptions {
  /** Share of the person box that must lie inside the (slightly widened) vehicle box. */
  minimumPersonOverlap?: number;
  /** The person's bottom must be below this fraction of the vehicle box height from its top (feet/legs on the bike). */
  minimumBottomDepth?: number;
}

const FUSE_DEFAULTS = { minimumPersonOverlap: 0.3, minimumBottomDepth: 0.15 } as const;

/**
 * Vietnamese streets are mostly motorbikes, often with two or three riders. A COCO detector sees a rider as a
 * `person` standing on (overlapping the upper part of) a `motorcycle` box, and counting both would count one
 * vehicle twice. Each such person is folded into the vehicle under it: the vehicle box becomes the union of
 * the vehicle and its riders, its confidence the maximum of theirs; the person detections are dropped.
 *
 * A person is a rider of a vehicle when
 * - their horizontal centre lies within the vehicle box,
 * - their vertical centre is above the vehicle's (they sit on it, not walk beside it),
 * - their bottom reaches at least `minimumBottomDepth` of the way down the vehicle box, and
 * - at least `minimumPersonOverlap` of the person box lies inside the vehicle box.
 * Several persons can ride one vehicle; each person goes to the vehicle it overlaps most.
 * Persons with no vehicle box stay persons: see `isPersonAtVehicleSpeed` for riders the detector missed the bike of.
 */
export function fuseRiders(detections: Detections, classes: FuseRidersClasses = {}, options: FuseRidersOptions = {}): Detections {
  const personClassId = classes.personClassId ?? COCO_CLASS_IDS.person;
  const rideable = classes.rideableClassIds ?? [COCO_CLASS_IDS.motorcycle, COCO_CLASS_IDS.bicycle];
  const minimumPersonOverlap = options.minimumPersonOverlap ?? FUSE_DEFAULTS.minimumPersonOverlap;
  const minimumBottomDepth = options.minimumBottomDepth ?? FUSE_DEFAULTS.minimumBottomDepth;
  const count = detections.length;
  const { xyxy, confidence, classId } = detections;

  const vehicles: number[] = [];
  const persons: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = classId[index] as number;
    if (id === personClassId) persons.push(index);
    else if (rideable.includes(id)) vehicles.push(index);
  }
  if (vehicles.length === 0 || persons.length === 0) return detections;

  const outBoxes = Float32Array.from(xyxy);
  const outConfidence = Float32Array.from(confidence);
  const dropped = new Uint8Array(count);
  let anyFused = false;
  for (const person of persons) {
    const px1 = xyxy[person * 4] as number;
    const py1 = xyxy[person * 4 + 1] as number;
    const px2 = xyxy[person * 4 + 2] as number;
    const py2 = xyxy[person * 4 + 3] as number;
    const personArea = (px2 - px1) * (py2 - py1);
    if (personArea <= 0) continue;
    const personCenterX = (px1 + px2) / 2;
    const personCenterY = (py1 + py2) / 2;
    let bestVehicle = -1;
    let bestOverlap = minimumPersonOverlap;
    for (const vehicle of vehicles) {
      // The vehicle's own box, not the growing union, so the order of riders does not matter.
      const vx1 = xyxy[vehicle * 4] as number;
      const vy1 = xyxy[vehicle * 4 + 1] as number;
      const vx2 = xyxy[vehicle * 4 + 2] as number;
      const vy2 = xyxy[vehicle * 4 + 3] as number;
      if (personCenterX < vx1 || personCenterX > vx2) continue;
      if (personCenterY >= (vy1 + vy2) / 2) continue;
      if (py2 < vy1 + minimumBottomDepth * (vy2 - vy1)) continue;
      const width = Math.min(px2, vx2) - Math.max(px1, vx1);
      const height = Math.min(py2, vy2) - Math.max(py1, vy1);
      if (width <= 0 || height <= 0) continue;
      const overlap = (width * height) / personArea;
      if (overlap >= bestOverlap) {
        bestOverlap = overlap;
        bestVehicle = vehicle;
      }
    }
    if (bestVehicle < 0) continue;
    anyFused = true;
    dropped[person] = 1;
    const base = bestVehicle * 4;
    outBoxes[base] = Math.min(outBoxes[base] as number, px1);
    outBoxes[base + 1] = Math.min(outBoxes[base + 1] as number, py1);
    outBoxes[base + 2] = Math.max(outBoxes[base + 2] as number, px2);
    outBoxes[base + 3] = Math.max(outBoxes[base + 3] as number, py2);
    outConfidence[bestVehicle] = Math.max(outConfidence[bestVehicle] as number, confidence[person] as number);
  }
  if (!anyFused) return detections;
  const keep: number[] = [];
  for (let index = 0; index < count; index += 1) if (dropped[index] === 0) keep.push(index);
  return new Detections(outBoxes, outConfidence, classId, detections.trackId).filter(keep);
}

/**
 * A lone `person` track moving along the carriageway faster than a person runs is a rider whose motorbike the
 * detector missed (common from behind). `speedPixelsPerSecond` is the track's anchor speed; the threshold
 * depends on the camera (pixels per metre at that distance), so the caller supplies it: e.g. 15 km/h on the
 * ground plane through the camera's homography, or a few box heights per second without one.
 */
export function isPersonAtVehicleSpeed(speedPixelsPerSecond: number, minimumVehicleSpeedPixelsPerSecond: number): boolean {
  return Number.isFinite(speedPixelsPerSecond) && speedPixelsPerSecond >= minimumVehicleSpeedPixelsPerSecond;
}

/**
 * Relabels detections whose track moves at vehicle speed from person to motorcycle. `speedOfTrack` returns a
 * track's speed in pixels per second (e.g. from `ByteTrack.velocityOf` × frame rate), or undefined when unknown.
 */
export function relabelFastPersons(
  detections: Detections,
  speedOfTrack: (trackId: number) => number | undefined,
  minimumVehicleSpeedPixelsPerSecond: number,
  classes: { personClassId?: number; motorcycleClassId?: number } = {},
): Detections {
  const trackIds = detections.trackId;
  if (trackIds === undefined) return detections;
  const personClassId = classes.personClassId ?? COCO_CLASS_IDS.person;
  const motorcycleClassId = classes.motorcycleClassId ?? COCO_CLASS_IDS.motorcycle;
  let relabelled: Int32Array | undefined;
  for (let index = 0; index < detections.length; index += 1) {
    const trackId = trackIds[index] as number;
    if (detections.classId[index] !== personClassId || trackId < 0) continue;
    const speed = speedOfTrack(trackId);
    if (speed === undefined || !isPersonAtVehicleSpeed(speed, minimumVehicleSpeedPixelsPerSecond)) continue;
    relabelled ??= Int32Array.from(detections.classId);
    relabelled[index] = motorcycleClassId;
  }
  return relabelled === undefined ? detections : new Detections(detections.xyxy, detections.confidence, relabelled, trackIds);
}
