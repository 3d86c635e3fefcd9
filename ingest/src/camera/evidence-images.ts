import type { CameraConfig } from '@ioc/schemas';
import type { Box, Point, ViolationRuleName } from '@ioc/vision';
import { RgbCanvas } from './annotate';
import { JpegEncoder } from './jpeg-encoder';

type Rgb = [number, number, number];

/** The rule's geometry in pixels: what an officer must see drawn to judge the case (stop line, zone, lane). */
export interface RuleGeometry {
  lines: Array<[Point, Point]>;
  polygons: Point[][];
  /** Wrong way: the allowed direction, drawn as an arrow from the zone's centre. */
  arrows: Array<[Point, Point]>;
}

const GEOMETRY_COLOUR: Rgb = [255, 48, 48];
const EXIT_COLOUR: Rgb = [64, 200, 255];
const BOX_COLOUR: Rgb = [255, 220, 0];
const OTHER_BOX_COLOUR: Rgb = [160, 160, 160];

/** The configured geometry (normalised) of one rule, in pixels of a frame of this size. */
export function ruleGeometryPixels(camera: CameraConfig, rule: ViolationRuleName, ruleId: string, size: { widthPixels: number; heightPixels: number }): RuleGeometry {
  const toPixels = (point: readonly [number, number]): Point => ({ x: point[0] * size.widthPixels, y: point[1] * size.heightPixels });
  const geometry: RuleGeometry = { lines: [], polygons: [], arrows: [] };
  if (rule === 'redLightViolation') {
    const stopLine = camera.stopLines.find((line) => line.id === ruleId);
    if (stopLine) {
      geometry.lines.push([toPixels(stopLine.points[0]), toPixels(stopLine.points[1])]);
      for (const exit of [...stopLine.allowedExits, ...stopLine.straightExits]) {
        if ('polygon' in exit) geometry.polygons.push(exit.polygon.map(toPixels));
        else geometry.lines.push([toPixels(exit.line[0]), toPixels(exit.line[1])]);
      }
    }
  } else if (rule === 'carStopped') {
    const zone = camera.zones.find((candidate) => candidate.id === ruleId);
    if (zone) geometry.polygons.push(zone.polygon.map(toPixels));
  } else if (rule === 'laneViolation') {
    const lane = camera.lanes.find((candidate) => candidate.id === ruleId);
    if (lane) geometry.polygons.push(lane.polygon.map(toPixels));
  } else if (rule === 'carWrongDirection') {
    const zone = camera.wrongWayZones.find((candidate) => candidate.id === ruleId);
    if (zone) {
      const polygon = zone.polygon.map(toPixels);
      geometry.polygons.push(polygon);
      const centre = { x: polygon.reduce((sum, point) => sum + point.x, 0) / polygon.length, y: polygon.reduce((sum, point) => sum + point.y, 0) / polygon.length };
      const length = Math.hypot(zone.allowedDirection[0] * size.widthPixels, zone.allowedDirection[1] * size.heightPixels) || 1;
      const reach = Math.min(size.widthPixels, size.heightPixels) / 8;
      geometry.arrows.push([centre, { x: centre.x + ((zone.allowedDirection[0] * size.widthPixels) / length) * reach, y: centre.y + ((zone.allowedDirection[1] * size.heightPixels) / length) * reach }]);
    }
  } else if (rule === 'speeding' && camera.speeding?.polygon) {
    geometry.polygons.push(camera.speeding.polygon.map(toPixels));
  }
  return geometry;
}

interface RgbImage {
  rgb: Uint8Array;
  widthPixels: number;
  heightPixels: number;
}

/** On the shared worker thread: jpeg-js would block the cameras' event loop for hundreds of milliseconds. */
function encodeJpeg(image: RgbImage, quality: number): Promise<Buffer> {
  return JpegEncoder.shared().encode(image, quality);
}

export interface EvidenceFrameOverlay {
  geometry: RuleGeometry;
  /** The offending vehicle's box in this frame, if it was seen in it. */
  box: Box | undefined;
  trackId: number;
  /** Other tracked vehicles, drawn thin and grey for context. */
  otherBoxes?: readonly Box[];
}

/** One evidence frame: the rule's geometry, the vehicle's box (thick, yellow) and its track id. Draws on a copy (then handed to the encoder). */
export function evidenceFrameJpeg(frame: RgbImage, overlay: EvidenceFrameOverlay, quality = 85): Promise<Buffer> {
  const canvas = new RgbCanvas(Uint8Array.from(frame.rgb), frame.widthPixels, frame.heightPixels);
  const scale = Math.max(1, Math.round(frame.widthPixels / 480));
  for (const polygon of overlay.geometry.polygons) {
    polygon.forEach((point, index) => canvas.line(point, polygon[(index + 1) % polygon.length] as Point, EXIT_COLOUR, scale));
  }
  for (const [start, end] of overlay.geometry.lines) canvas.line(start, end, GEOMETRY_COLOUR, 2 * scale);
  for (const [start, end] of overlay.geometry.arrows) {
    canvas.line(start, end, GEOMETRY_COLOUR, 2 * scale);
    const angle = Math.atan2(end.y - start.y, end.x - start.x);
    const head = 10 * scale;
    for (const side of [-0.5, 0.5]) canvas.line(end, { x: end.x - head * Math.cos(angle + side), y: end.y - head * Math.sin(angle + side) }, GEOMETRY_COLOUR, 2 * scale);
  }
  for (const other of overlay.otherBoxes ?? []) canvas.strokeRect(other[0], other[1], other[2], other[3], OTHER_BOX_COLOUR, 1);
  if (overlay.box) {
    const [x1, y1, x2, y2] = overlay.box;
    canvas.strokeRect(x1 - scale, y1 - scale, x2 + scale, y2 + scale, BOX_COLOUR, 2 * scale);
    canvas.text(x1, Math.max(scale, y1 - 9 * scale), `#${overlay.trackId}`, BOX_COLOUR, 2 * scale);
  }
  return encodeJpeg(canvas, quality);
}

/** The box, widened by `marginFraction` of its size on each side and clipped to the frame, in whole pixels. */
export function cropRectangle(box: Box, size: { widthPixels: number; heightPixels: number }, marginFraction: number): { x: number; y: number; widthPixels: number; heightPixels: number } | undefined {
  const marginX = (box[2] - box[0]) * marginFraction;
  const marginY = (box[3] - box[1]) * marginFraction;
  const x1 = Math.max(0, Math.floor(box[0] - marginX));
  const y1 = Math.max(0, Math.floor(box[1] - marginY));
  const x2 = Math.min(size.widthPixels, Math.ceil(box[2] + marginX));
  const y2 = Math.min(size.heightPixels, Math.ceil(box[3] + marginY));
  if (x2 - x1 < 2 || y2 - y1 < 2) return undefined;
  return { x: x1, y: y1, widthPixels: x2 - x1, heightPixels: y2 - y1 };
}

/** The vehicle cut out of the frame (unannotated: the plate and the vehicle as the camera saw them). */
export async function vehicleCropJpeg(frame: RgbImage, box: Box, marginFraction = 0.1, quality = 90): Promise<Buffer | undefined> {
  const rectangle = cropRectangle(box, frame, marginFraction);
  if (!rectangle) return undefined;
  const rgb = new Uint8Array(rectangle.widthPixels * rectangle.heightPixels * 3);
  for (let row = 0; row < rectangle.heightPixels; row += 1) {
    const from = ((rectangle.y + row) * frame.widthPixels + rectangle.x) * 3;
    rgb.set(frame.rgb.subarray(from, from + rectangle.widthPixels * 3), row * rectangle.widthPixels * 3);
  }
  return encodeJpeg({ rgb, widthPixels: rectangle.widthPixels, heightPixels: rectangle.heightPixels }, quality);
}
