import type { Detections } from './detections';

/** IoU of box `indexA` of `boxesA` and box `indexB` of `boxesB` (n×4 xyxy arrays). */
export function boxIouAt(boxesA: ArrayLike<number>, indexA: number, boxesB: ArrayLike<number>, indexB: number): number {
  const ax1 = boxesA[indexA * 4] as number;
  const ay1 = boxesA[indexA * 4 + 1] as number;
  const ax2 = boxesA[indexA * 4 + 2] as number;
  const ay2 = boxesA[indexA * 4 + 3] as number;
  const bx1 = boxesB[indexB * 4] as number;
  const by1 = boxesB[indexB * 4 + 1] as number;
  const bx2 = boxesB[indexB * 4 + 2] as number;
  const by2 = boxesB[indexB * 4 + 3] as number;
  const width = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const height = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** IoU of two boxes given as [x1, y1, x2, y2]. */
export function boxIou(boxA: ArrayLike<number>, boxB: ArrayLike<number>): number {
  return boxIouAt(boxA, 0, boxB, 0);
}

/** IoU of every box in `boxesA` with every box in `boxesB`: row-major na×nb. */
export function boxIouMatrix(boxesA: ArrayLike<number>, boxesB: ArrayLike<number>, out?: Float32Array): Float32Array {
  const countA = Math.floor(boxesA.length / 4);
  const countB = Math.floor(boxesB.length / 4);
  const matrix = out ?? new Float32Array(countA * countB);
  for (let indexA = 0; indexA < countA; indexA += 1) {
    for (let indexB = 0; indexB < countB; indexB += 1) matrix[indexA * countB + indexB] = boxIouAt(boxesA, indexA, boxesB, indexB);
  }
  return matrix;
}

export interface NonMaxSuppressionOptions {
  /** Suppress across classes (a car box can suppress a lorry box). Default false: per class. */
  classAgnostic?: boolean;
  /** Keep at most this many, best first. */
  maxDetections?: number;
}

/**
 * Greedy NMS: indices of the detections kept, best score first. Sorted once; suppression marks live in a
 * byte array, and areas are computed once, so the inner loop is arithmetic on typed arrays only.
 */
export function nonMaxSuppressionIndices(detections: Detections, iouThreshold: number, options: NonMaxSuppressionOptions = {}): Int32Array {
  const count = detections.length;
  const classAgnostic = options.classAgnostic ?? false;
  const maxDetections = options.maxDetections ?? count;
  const { xyxy, confidence, classId } = detections;
  const order = new Int32Array(count);
  for (let index = 0; index < count; index += 1) order[index] = index;
  order.sort((left, right) => (confidence[right] as number) - (confidence[left] as number) || left - right);
  const area = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    area[index] = ((xyxy[index * 4 + 2] as number) - (xyxy[index * 4] as number)) * ((xyxy[index * 4 + 3] as number) - (xyxy[index * 4 + 1] as number));
  }
  const suppressed = new Uint8Array(count);
  const kept = new Int32Array(Math.min(count, maxDetections));
  let keptCount = 0;
  for (let position = 0; position < count && keptCount < maxDetections; position += 1) {
    const best = order[position] as number;
    if (suppressed[best] === 1) continue;
    kept[keptCount] = best;
    keptCount += 1;
    const x1 = xyxy[best * 4] as number;
    const y1 = xyxy[best * 4 + 1] as number;
    const x2 = xyxy[best * 4 + 2] as number;
    const y2 = xyxy[best * 4 + 3] as number;
    const bestArea = area[best] as number;
    const bestClass = classId[best] as number;
    for (let later = position + 1; later < count; later += 1) {
      const other = order[later] as number;
      if (suppressed[other] === 1) continue;
      if (!classAgnostic && classId[other] !== bestClass) continue;
      const width = Math.min(x2, xyxy[other * 4 + 2] as number) - Math.max(x1, xyxy[other * 4] as number);
      if (width <= 0) continue;
      const height = Math.min(y2, xyxy[other * 4 + 3] as number) - Math.max(y1, xyxy[other * 4 + 1] as number);
      if (height <= 0) continue;
      const intersection = width * height;
      const union = bestArea + (area[other] as number) - intersection;
      if (union > 0 && intersection / union > iouThreshold) suppressed[other] = 1;
    }
  }
  return kept.subarray(0, keptCount);
}

/** Greedy NMS returning the kept detections, best score first. */
export function nonMaxSuppression(detections: Detections, iouThreshold: number, options: NonMaxSuppressionOptions = {}): Detections {
  return detections.filter(nonMaxSuppressionIndices(detections, iouThreshold, options));
}
