import { Detections } from './detections';
import { formatDims, shapeError } from './shape-error';

/** One model output as onnxruntime hands it over (`tensor.data`, `tensor.dims`). */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * Where the per-cell values sit in a NanoDet output:
 * - `cellMajor`: [1, H*W, channels] (or [1, H, W, channels]); the TFJS→ONNX conversion ships this.
 * - `channelMajor`: [1, channels, H, W] (or [1, channels, H*W]); a plain PyTorch→ONNX export of the head.
 */
export type NanodetLayout = 'cellMajor' | 'channelMajor';

export interface NanodetParams {
  /** Square model input side, pixels. */
  inputSizePixels?: number;
  /** Feature-map strides, finest first. */
  strides?: readonly number[];
  numClasses?: number;
  /** Distance bins per side minus one (NanoDet `reg_max`): 10 → 11 bins. */
  regMax?: number;
  /** Output names of the sigmoided class scores, one per stride. */
  scoreOutputNames?: readonly string[];
  /** Output names of the 4×(regMax+1) distance logits, one per stride. */
  distanceOutputNames?: readonly string[];
  layout?: NanodetLayout;
  /** Keep a cell when its best class score is at least this. */
  scoreThreshold?: number;
  /** At most this many candidates per level, best first (before NMS). */
  topKPerLevel?: number;
  /** Only these class ids (e.g. the traffic classes); all when absent. */
  classIds?: readonly number[];
  /** Cell centre = (column + centerOffset) × stride. */
  centerOffset?: number;
}

export const NANODET_DEFAULTS = {
  inputSizePixels: 416,
  strides: [8, 16, 32],
  numClasses: 80,
  regMax: 10,
  scoreOutputNames: ['Identity', 'Identity_1', 'Identity_2'],
  distanceOutputNames: ['Identity_3', 'Identity_4', 'Identity_5'],
  layout: 'cellMajor',
  scoreThreshold: 0.35,
  topKPerLevel: 100,
  centerOffset: 0.5,
} as const satisfies Required<Omit<NanodetParams, 'classIds'>>;

/** Reads a tensor that holds `channels` values for each of `cells` cells; returns the stride between cells and between channels. */
function cellAccess(
  tensor: OutputTensor,
  path: string,
  layout: NanodetLayout,
  gridSize: number,
  channels: number,
): { cellStride: number; channelStride: number } {
  const cells = gridSize * gridSize;
  const dims = tensor.dims;
  let matches: boolean;
  let expected: string;
  if (layout === 'cellMajor') {
    expected = `[1, ${cells}, ${channels}] or [1, ${gridSize}, ${gridSize}, ${channels}] (layout cellMajor)`;
    matches =
      (dims.length === 3 && dims[0] === 1 && dims[1] === cells && dims[2] === channels) ||
      (dims.length === 4 && dims[0] === 1 && dims[1] === gridSize && dims[2] === gridSize && dims[3] === channels);
  } else {
    expected = `[1, ${channels}, ${gridSize}, ${gridSize}] or [1, ${channels}, ${cells}] (layout channelMajor)`;
    matches =
      (dims.length === 4 && dims[0] === 1 && dims[1] === channels && dims[2] === gridSize && dims[3] === gridSize) ||
      (dims.length === 3 && dims[0] === 1 && dims[1] === channels && dims[2] === cells);
  }
  if (!matches) throw shapeError(`${path}.dims`, expected, formatDims(dims));
  if (tensor.data.length !== cells * channels) {
    throw shapeError(`${path}.data`, `length ${cells * channels} (${formatDims(dims)})`, `length ${tensor.data.length}`);
  }
  return layout === 'cellMajor' ? { cellStride: channels, channelStride: 1 } : { cellStride: 1, channelStride: cells };
}

/** Softmax expectation over `bins` logits: the distance in units of the stride. */
function expectedBin(data: Float32Array, start: number, step: number, bins: number): number {
  let maxLogit = -Infinity;
  for (let bin = 0; bin < bins; bin += 1) {
    const logit = data[start + bin * step] as number;
    if (logit > maxLogit) maxLogit = logit;
  }
  let sum = 0;
  let weighted = 0;
  for (let bin = 0; bin < bins; bin += 1) {
    const weight = Math.exp((data[start + bin * step] as number) - maxLogit);
    sum += weight;
    weighted += weight * bin;
  }
  return weighted / sum;
}

/** Indices of the k largest scores, best first; allocation proportional to the candidate count. */
export function topKIndices(scores: Float32Array, count: number, k: number): Int32Array {
  const order = new Int32Array(count);
  for (let index = 0; index < count; index += 1) order[index] = index;
  order.sort((left, right) => (scores[right] as number) - (scores[left] as number));
  return k < count ? order.subarray(0, k) : order;
}

/**
 * Decodes NanoDet-Plus outputs (GFL head: sigmoided class scores and a discrete distribution over distances to
 * the four box sides, per cell of each feature-map level) into model-input pixels. One detection per kept cell,
 * with its best class. Run `nonMaxSuppression` and `unletterboxDetections` after.
 */
export function decodeNanodet(outputs: Readonly<Record<string, OutputTensor>>, params: NanodetParams = {}): Detections {
  const inputSizePixels = params.inputSizePixels ?? NANODET_DEFAULTS.inputSizePixels;
  const strides = params.strides ?? NANODET_DEFAULTS.strides;
  const numClasses = params.numClasses ?? NANODET_DEFAULTS.numClasses;
  const regMax = params.regMax ?? NANODET_DEFAULTS.regMax;
  const scoreNames = params.scoreOutputNames ?? NANODET_DEFAULTS.scoreOutputNames;
  const distanceNames = params.distanceOutputNames ?? NANODET_DEFAULTS.distanceOutputNames;
  const layout = params.layout ?? NANODET_DEFAULTS.layout;
  const scoreThreshold = params.scoreThreshold ?? NANODET_DEFAULTS.scoreThreshold;
  const topKPerLevel = params.topKPerLevel ?? NANODET_DEFAULTS.topKPerLevel;
  const centerOffset = params.centerOffset ?? NANODET_DEFAULTS.centerOffset;
  const bins = regMax + 1;

  if (layout !== 'cellMajor' && layout !== 'channelMajor') throw shapeError('params.layout', "'cellMajor' or 'channelMajor'", JSON.stringify(layout));
  if (scoreNames.length !== strides.length) throw shapeError('params.scoreOutputNames', `${strides.length} names (one per stride)`, `${scoreNames.length}`);
  if (distanceNames.length !== strides.length) throw shapeError('params.distanceOutputNames', `${strides.length} names (one per stride)`, `${distanceNames.length}`);

  let allowed: Uint8Array | undefined;
  if (params.classIds !== undefined) {
    allowed = new Uint8Array(numClasses);
    for (const classId of params.classIds) if (classId >= 0 && classId < numClasses) allowed[classId] = 1;
  }

  const levels: Detections[] = [];
  for (let level = 0; level < strides.length; level += 1) {
    const stride = strides[level] as number;
    const gridSize = Math.ceil(inputSizePixels / stride);
    const cells = gridSize * gridSize;
    const scoreName = scoreNames[level] as string;
    const distanceName = distanceNames[level] as string;
    const scoreTensor = outputs[scoreName];
    const distanceTensor = outputs[distanceName];
    const available = `outputs ${Object.keys(outputs).join(', ') || '(none)'}`;
    if (scoreTensor === undefined) throw shapeError(`outputs.${scoreName}`, `class scores for stride ${stride}`, available);
    if (distanceTensor === undefined) throw shapeError(`outputs.${distanceName}`, `distance logits for stride ${stride}`, available);
    const scores = cellAccess(scoreTensor, `outputs.${scoreName}`, layout, gridSize, numClasses);
    const distances = cellAccess(distanceTensor, `outputs.${distanceName}`, layout, gridSize, 4 * bins);

    // First pass: best class per cell, keep the cells above threshold.
    const candidateCell = new Int32Array(cells);
    const candidateClass = new Int32Array(cells);
    const candidateScore = new Float32Array(cells);
    let candidates = 0;
    const scoreData = scoreTensor.data;
    for (let cell = 0; cell < cells; cell += 1) {
      let bestScore = scoreThreshold;
      let bestClass = -1;
      const base = cell * scores.cellStride;
      for (let classId = 0; classId < numClasses; classId += 1) {
        const score = scoreData[base + classId * scores.channelStride] as number;
        if (score >= bestScore && (allowed === undefined || allowed[classId] === 1)) {
          if (score > bestScore || bestClass < 0) {
            bestScore = score;
            bestClass = classId;
          }
        }
      }
      if (bestClass >= 0) {
        candidateCell[candidates] = cell;
        candidateClass[candidates] = bestClass;
        candidateScore[candidates] = bestScore;
        candidates += 1;
      }
    }
    if (candidates === 0) continue;

    // Second pass: boxes only for the top-k cells.
    const kept = topKIndices(candidateScore, candidates, topKPerLevel);
    const count = kept.length;
    const xyxy = new Float32Array(count * 4);
    const confidence = new Float32Array(count);
    const classId = new Int32Array(count);
    const distanceData = distanceTensor.data;
    const sideStep = bins * distances.channelStride;
    for (let out = 0; out < count; out += 1) {
      const candidate = kept[out] as number;
      const cell = candidateCell[candidate] as number;
      const centerX = ((cell % gridSize) + centerOffset) * stride;
      const centerY = (Math.floor(cell / gridSize) + centerOffset) * stride;
      const base = cell * distances.cellStride;
      const left = expectedBin(distanceData, base, distances.channelStride, bins) * stride;
      const top = expectedBin(distanceData, base + sideStep, distances.channelStride, bins) * stride;
      const right = expectedBin(distanceData, base + 2 * sideStep, distances.channelStride, bins) * stride;
      const bottom = expectedBin(distanceData, base + 3 * sideStep, distances.channelStride, bins) * stride;
      xyxy[out * 4] = Math.max(0, centerX - left);
      xyxy[out * 4 + 1] = Math.max(0, centerY - top);
      xyxy[out * 4 + 2] = Math.min(inputSizePixels, centerX + right);
      xyxy[out * 4 + 3] = Math.min(inputSizePixels, centerY + bottom);
      confidence[out] = candidateScore[candidate] as number;
      classId[out] = candidateClass[candidate] as number;
    }
    levels.push(new Detections(xyxy, confidence, classId));
  }
  return levels.length === 1 ? (levels[0] as Detections) : Detections.merge(levels);
}
