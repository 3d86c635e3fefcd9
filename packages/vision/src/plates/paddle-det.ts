import type { Point } from '../detections';
import type { RgbFrame } from '../rules/signal-lamps';
import { shapeError } from '../shape-error';
import { boxQuad, paddleTensor, warpQuad, type Quad } from './image-warp';

/** PaddleOCR det (DB) input statistics: ImageNet mean/std on 0..1 pixels, BGR planes. */
export const PADDLE_DET_MEAN = [0.485, 0.456, 0.406] as const;
export const PADDLE_DET_STD = [0.229, 0.224, 0.225] as const;

export interface DetInputOptions {
  /** The image is scaled so that its longer side is this many pixels (up or down), then snapped to 32. */
  longSidePixels: number;
  /** Never more than this on either side (memory and time bound). */
  maxSidePixels?: number;
}

export interface DetInput {
  tensor: Float32Array;
  dims: [1, 3, number, number];
  /** Tensor size; the probability map has the same size. */
  widthPixels: number;
  heightPixels: number;
  /** Source pixels per map pixel, per axis (the aspect changes a little when snapping to 32). */
  sourcePixelsPerMapPixelX: number;
  sourcePixelsPerMapPixelY: number;
}

/** Size of the det input for a source size: multiples of 32 (the network downsamples five times). */
export function detInputSize(sourceWidthPixels: number, sourceHeightPixels: number, options: DetInputOptions): { widthPixels: number; heightPixels: number } {
  if (!(sourceWidthPixels > 0 && sourceHeightPixels > 0)) throw shapeError('source', 'a positive width and height', `${sourceWidthPixels}×${sourceHeightPixels}`);
  const maxSide = options.maxSidePixels ?? 1280;
  const scale = Math.min(options.longSidePixels, maxSide) / Math.max(sourceWidthPixels, sourceHeightPixels);
  const snap = (value: number): number => Math.min(Math.floor(maxSide / 32) * 32, Math.max(32, Math.round(value / 32) * 32));
  return { widthPixels: snap(sourceWidthPixels * scale), heightPixels: snap(sourceHeightPixels * scale) };
}

/** Resizes an image (a crop) to the det input size and normalises it into a 1×3×H×W tensor. */
export function detInput(image: RgbFrame, options: DetInputOptions): DetInput {
  const { widthPixels, heightPixels } = detInputSize(image.widthPixels, image.heightPixels, options);
  const resized = warpQuad(image, boxQuad(0, 0, image.widthPixels, image.heightPixels), widthPixels, heightPixels);
  return {
    tensor: paddleTensor(resized, PADDLE_DET_MEAN, PADDLE_DET_STD),
    dims: [1, 3, heightPixels, widthPixels],
    widthPixels,
    heightPixels,
    sourcePixelsPerMapPixelX: image.widthPixels / widthPixels,
    sourcePixelsPerMapPixelY: image.heightPixels / heightPixels,
  };
}

export interface DbOptions {
  /** A map pixel is text when its probability exceeds this (PaddleOCR det_db_thresh). */
  binaryThreshold?: number;
  /** A region is kept when its mean probability exceeds this (det_db_box_thresh). */
  boxThreshold?: number;
  /** How far the shrunk text kernel is grown back: distance = area × ratio / perimeter (det_db_unclip_ratio). */
  unclipRatio?: number;
  /** Regions whose rectangle is thinner than this (map pixels) are noise. */
  minSidePixels?: number;
  maxCandidates?: number;
}

export interface TextBox {
  /** Corners clockwise from top-left, in source pixels (edges). */
  quad: Quad;
  /** Mean text probability over the region. */
  score: number;
  /** Rectangle side lengths in source pixels, along and across the text. */
  lengthPixels: number;
  thicknessPixels: number;
}

export const DB_DEFAULTS: Required<DbOptions> = { binaryThreshold: 0.3, boxThreshold: 0.5, unclipRatio: 1.5, minSidePixels: 3, maxCandidates: 200 };

/**
 * DB post-processing: binarise the probability map, take 8-connected regions, fit each a minimum-area
 * rectangle, drop weak or thin ones, grow the rectangle back by the unclip distance (the network was trained on
 * shrunk text kernels) and map it to source pixels. Boxes come out top to bottom, then left to right.
 */
export function dbPostprocess(probability: Float32Array, mapWidthPixels: number, mapHeightPixels: number, scale: { x: number; y: number } = { x: 1, y: 1 }, options: DbOptions = {}): TextBox[] {
  const settings = { ...DB_DEFAULTS, ...options };
  if (probability.length !== mapWidthPixels * mapHeightPixels) throw shapeError('probability', `length ${mapWidthPixels * mapHeightPixels}`, `length ${probability.length}`);
  const labels = new Int32Array(probability.length); // 0 unvisited; -1 background or done
  const boxes: TextBox[] = [];
  const stack: number[] = [];
  for (let start = 0; start < probability.length; start += 1) {
    if (labels[start] !== 0) continue;
    if (!((probability[start] as number) > settings.binaryThreshold)) {
      labels[start] = -1;
      continue;
    }
    // Flood one region; keep its boundary pixels (enough for the hull) and its probability sum.
    const boundary: Point[] = [];
    let sum = 0;
    let count = 0;
    stack.push(start);
    labels[start] = 1;
    while (stack.length > 0) {
      const index = stack.pop() as number;
      const x = index % mapWidthPixels;
      const y = (index - x) / mapWidthPixels;
      sum += probability[index] as number;
      count += 1;
      let onBoundary = false;
      for (let dy = -1; dy <= 1; dy += 1) {
        for (let dx = -1; dx <= 1; dx += 1) {
          if (dx === 0 && dy === 0) continue;
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= mapWidthPixels || ny >= mapHeightPixels) {
            onBoundary = true;
            continue;
          }
          const neighbour = ny * mapWidthPixels + nx;
          if (!((probability[neighbour] as number) > settings.binaryThreshold)) {
            onBoundary = true;
            continue;
          }
          if (labels[neighbour] === 0) {
            labels[neighbour] = 1;
            stack.push(neighbour);
          }
        }
      }
      if (onBoundary) boundary.push({ x: x + 0.5, y: y + 0.5 });
    }
    if (boxes.length >= settings.maxCandidates) continue;
    const score = sum / count;
    if (score < settings.boxThreshold) continue;
    const rectangle = minAreaRectangle(boundary);
    if (Math.min(rectangle.lengthPixels, rectangle.thicknessPixels) < settings.minSidePixels) continue;
    const area = rectangle.lengthPixels * rectangle.thicknessPixels;
    const perimeter = 2 * (rectangle.lengthPixels + rectangle.thicknessPixels);
    const distance = (area * settings.unclipRatio) / perimeter;
    const grown = growRectangle(rectangle, distance + 0.5); // + half a pixel: the hull runs through pixel centres
    if (Math.min(grown.lengthPixels, grown.thicknessPixels) < settings.minSidePixels + 2) continue;
    const corners = grown.corners.map((point) => ({ x: point.x * scale.x, y: point.y * scale.y }));
    const quad = orderCorners(corners);
    boxes.push({
      quad,
      score,
      lengthPixels: Math.hypot(quad[1].x - quad[0].x, quad[1].y - quad[0].y),
      thicknessPixels: Math.hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y),
    });
  }
  return boxes.sort((a, b) => quadCentre(a.quad).y - quadCentre(b.quad).y || quadCentre(a.quad).x - quadCentre(b.quad).x);
}

export function quadCentre(quad: Quad): Point {
  return { x: (quad[0].x + quad[1].x + quad[2].x + quad[3].x) / 4, y: (quad[0].y + quad[1].y + quad[2].y + quad[3].y) / 4 };
}

interface Rectangle {
  centre: Point;
  /** Unit vector along the longer side. */
  axis: Point;
  lengthPixels: number;
  thicknessPixels: number;
  corners: Point[];
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-up terms, no collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const point of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2] as Point, lower[lower.length - 1] as Point, point) <= 0) lower.pop();
    lower.push(point);
  }
  const upper: Point[] = [];
  for (let index = sorted.length - 1; index >= 0; index -= 1) {
    const point = sorted[index] as Point;
    while (upper.length >= 2 && cross(upper[upper.length - 2] as Point, upper[upper.length - 1] as Point, point) <= 0) upper.pop();
    upper.push(point);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** The minimum-area enclosing rectangle (rotating calipers over the hull's edges). */
export function minAreaRectangle(points: readonly Point[]): Rectangle {
  const hull = convexHull(points);
  if (hull.length === 0) throw shapeError('points', 'at least one point', 'none');
  if (hull.length === 1) {
    const only = hull[0] as Point;
    return { centre: only, axis: { x: 1, y: 0 }, lengthPixels: 0, thicknessPixels: 0, corners: [only, only, only, only] };
  }
  let best: { area: number; axis: Point; minU: number; maxU: number; minV: number; maxV: number } | undefined;
  for (let index = 0; index < hull.length; index += 1) {
    const a = hull[index] as Point;
    const b = hull[(index + 1) % hull.length] as Point;
    const edgeLength = Math.hypot(b.x - a.x, b.y - a.y);
    if (edgeLength === 0) continue;
    const axis = { x: (b.x - a.x) / edgeLength, y: (b.y - a.y) / edgeLength };
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    for (const point of hull) {
      const u = point.x * axis.x + point.y * axis.y;
      const v = -point.x * axis.y + point.y * axis.x;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (!best || area < best.area - 1e-9) best = { area, axis, minU, maxU, minV, maxV };
  }
  const chosen = best as NonNullable<typeof best>;
  let axis = chosen.axis;
  let length = chosen.maxU - chosen.minU;
  let thickness = chosen.maxV - chosen.minV;
  const centreU = (chosen.minU + chosen.maxU) / 2;
  const centreV = (chosen.minV + chosen.maxV) / 2;
  const centre = { x: centreU * axis.x - centreV * axis.y, y: centreU * axis.y + centreV * axis.x };
  if (thickness > length) {
    axis = { x: -axis.y, y: axis.x };
    [length, thickness] = [thickness, length];
  }
  return rectangleFrom(centre, axis, length, thickness);
}

function rectangleFrom(centre: Point, axis: Point, lengthPixels: number, thicknessPixels: number): Rectangle {
  const normal = { x: -axis.y, y: axis.x };
  const halfLength = lengthPixels / 2;
  const halfThickness = thicknessPixels / 2;
  const corners = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([sideU, sideV]) => ({
    x: centre.x + (sideU as number) * halfLength * axis.x + (sideV as number) * halfThickness * normal.x,
    y: centre.y + (sideU as number) * halfLength * axis.y + (sideV as number) * halfThickness * normal.y,
  }));
  return { centre, axis, lengthPixels, thicknessPixels, corners };
}

function growRectangle(rectangle: Rectangle, distancePixels: number): Rectangle {
  return rectangleFrom(rectangle.centre, rectangle.axis, rectangle.lengthPixels + 2 * distancePixels, rectangle.thicknessPixels + 2 * distancePixels);
}

/**
 * Corners clockwise from top-left for reading: of the two leftmost corners the upper is top-left, of the two
 * rightmost the upper is top-right (PaddleOCR's get_mini_boxes order).
 */
export function orderCorners(corners: readonly Point[]): Quad {
  if (corners.length !== 4) throw shapeError('corners', '4 points', `${corners.length}`);
  const byX = [...corners].sort((a, b) => a.x - b.x);
  const [leftA, leftB, rightA, rightB] = byX as [Point, Point, Point, Point];
  const [topLeft, bottomLeft] = leftA.y <= leftB.y ? [leftA, leftB] : [leftB, leftA];
  const [topRight, bottomRight] = rightA.y <= rightB.y ? [rightA, rightB] : [rightB, rightA];
  return [topLeft, topRight, bottomRight, bottomLeft];
}
