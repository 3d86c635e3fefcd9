import type { Point } from './detections';
import { shapeError } from './shape-error';

/** 3×3 row-major matrix mapping image pixels (x, y, 1) to ground-plane metres (up to scale); h[8] = 1. */
export type Homography = Float64Array;

/** Ground-plane coordinates in metres, in the frame the four calibration points were given in. */
export interface GroundPoint {
  xMeters: number;
  yMeters: number;
}

/** Similarity that moves points to their centroid and scales them to mean distance √2 (Hartley normalisation). */
function normalisation(points: readonly { x: number; y: number }[]): { scale: number; offsetX: number; offsetY: number } {
  let meanX = 0;
  let meanY = 0;
  for (const point of points) {
    meanX += point.x / points.length;
    meanY += point.y / points.length;
  }
  let meanDistance = 0;
  for (const point of points) meanDistance += Math.hypot(point.x - meanX, point.y - meanY) / points.length;
  const scale = meanDistance > 0 ? Math.SQRT2 / meanDistance : 1;
  return { scale, offsetX: -meanX * scale, offsetY: -meanY * scale };
}

/** Solves A x = b in place (Gaussian elimination with partial pivoting); undefined when A is singular. */
export function solveLinearSystem(matrix: Float64Array, rhs: Float64Array, size: number): Float64Array | undefined {
  for (let column = 0; column < size; column += 1) {
    let pivot = column;
    let pivotMagnitude = Math.abs(matrix[column * size + column] as number);
    for (let row = column + 1; row < size; row += 1) {
      const magnitude = Math.abs(matrix[row * size + column] as number);
      if (magnitude > pivotMagnitude) {
        pivot = row;
        pivotMagnitude = magnitude;
      }
    }
    if (pivotMagnitude < 1e-10) return undefined;
    if (pivot !== column) {
      for (let k = 0; k < size; k += 1) {
        const swap = matrix[column * size + k] as number;
        matrix[column * size + k] = matrix[pivot * size + k] as number;
        matrix[pivot * size + k] = swap;
      }
      const swap = rhs[column] as number;
      rhs[column] = rhs[pivot] as number;
      rhs[pivot] = swap;
    }
    const diagonal = matrix[column * size + column] as number;
    for (let row = column + 1; row < size; row += 1) {
      const factor = (matrix[row * size + column] as number) / diagonal;
      if (factor === 0) continue;
      for (let k = column; k < size; k += 1) matrix[row * size + k] = (matrix[row * size + k] as number) - factor * (matrix[column * size + k] as number);
      rhs[row] = (rhs[row] as number) - factor * (rhs[column] as number);
    }
  }
  const solution = new Float64Array(size);
  for (let row = size - 1; row >= 0; row -= 1) {
    let sum = rhs[row] as number;
    for (let k = row + 1; k < size; k += 1) sum -= (matrix[row * size + k] as number) * (solution[k] as number);
    solution[row] = sum / (matrix[row * size + row] as number);
  }
  return solution;
}

function multiply3(left: ArrayLike<number>, right: ArrayLike<number>): Float64Array {
  const product = new Float64Array(9);
  for (let row = 0; row < 3; row += 1) {
    for (let column = 0; column < 3; column += 1) {
      let sum = 0;
      for (let k = 0; k < 3; k += 1) sum += (left[row * 3 + k] as number) * (right[k * 3 + column] as number);
      product[row * 3 + column] = sum;
    }
  }
  return product;
}

/**
 * The image→ground homography from four point pairs (the four-point calibration of a camera: e.g. the corners
 * of a lane marking of known size). Direct linear transform with h33 = 1: eight equations, one 8×8 solve, on
 * Hartley-normalised coordinates so pixels (~1000) and metres (~10) do not ruin the conditioning.
 * Throws when fewer or more than four pairs are given or three points are collinear.
 */
export function homographyFromFourPoints(imagePoints: readonly Point[], groundPointsMeters: readonly Point[]): Homography {
  if (imagePoints.length !== 4) throw shapeError('imagePoints', '4 points', `${imagePoints.length}`);
  if (groundPointsMeters.length !== 4) throw shapeError('groundPointsMeters', '4 points', `${groundPointsMeters.length}`);
  for (const [name, points] of [['imagePoints', imagePoints], ['groundPointsMeters', groundPointsMeters]] as const) {
    points.forEach((point, index) => {
      if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) throw shapeError(`${name}[${index}]`, 'finite x and y', JSON.stringify(point));
    });
  }
  const source = normalisation(imagePoints);
  const target = normalisation(groundPointsMeters);
  const matrix = new Float64Array(64);
  const rhs = new Float64Array(8);
  for (let index = 0; index < 4; index += 1) {
    const image = imagePoints[index] as Point;
    const ground = groundPointsMeters[index] as Point;
    const x = image.x * source.scale + source.offsetX;
    const y = image.y * source.scale + source.offsetY;
    const u = ground.x * target.scale + target.offsetX;
    const v = ground.y * target.scale + target.offsetY;
    matrix.set([x, y, 1, 0, 0, 0, -x * u, -y * u], index * 2 * 8);
    matrix.set([0, 0, 0, x, y, 1, -x * v, -y * v], (index * 2 + 1) * 8);
    rhs[index * 2] = u;
    rhs[index * 2 + 1] = v;
  }
  const solution = solveLinearSystem(matrix, rhs, 8);
  if (solution === undefined) {
    throw shapeError('imagePoints', 'four points, no three on one line (in the image and on the ground)', JSON.stringify(imagePoints.map((point) => [point.x, point.y])));
  }
  const normalised = Float64Array.of(...solution, 1);
  // H = T_target⁻¹ · Hn · T_source
  const sourceMatrix = Float64Array.of(source.scale, 0, source.offsetX, 0, source.scale, source.offsetY, 0, 0, 1);
  const targetInverse = Float64Array.of(1 / target.scale, 0, -target.offsetX / target.scale, 0, 1 / target.scale, -target.offsetY / target.scale, 0, 0, 1);
  const homography = multiply3(targetInverse, multiply3(normalised, sourceMatrix));
  const last = homography[8] as number;
  if (Math.abs(last) < 1e-12) throw shapeError('imagePoints', 'a calibration that does not map a point to infinity', 'h33 = 0');
  for (let index = 0; index < 9; index += 1) homography[index] = (homography[index] as number) / last;
  return homography;
}

/** Maps an image point (pixels) to the ground plane (metres). Points on or above the horizon map to NaN. */
export function projectToGround(homography: Homography, xPixels: number, yPixels: number): GroundPoint {
  const h = homography;
  const w = (h[6] as number) * xPixels + (h[7] as number) * yPixels + (h[8] as number);
  if (!(w > 1e-12 || w < -1e-12)) return { xMeters: Number.NaN, yMeters: Number.NaN };
  return {
    xMeters: ((h[0] as number) * xPixels + (h[1] as number) * yPixels + (h[2] as number)) / w,
    yMeters: ((h[3] as number) * xPixels + (h[4] as number) * yPixels + (h[5] as number)) / w,
  };
}

/** Ground distance in metres between two image points (e.g. one track's anchor in two frames). */
export function groundDistanceMeters(homography: Homography, from: Point, to: Point): number {
  const start = projectToGround(homography, from.x, from.y);
  const end = projectToGround(homography, to.x, to.y);
  return Math.hypot(end.xMeters - start.xMeters, end.yMeters - start.yMeters);
}
