import { Detections } from './detections';
import { topKIndices, type OutputTensor } from './decode-nanodet';
import { formatDims, shapeError } from './shape-error';

/**
 * - `channelMajor`: [1, 4 + C, N], what `yolo export format=onnx` writes for YOLOv8 and YOLO11.
 * - `anchorMajor`: [1, N, 4 + C], the same transposed (some conversion tools and TensorRT graphs).
 */
export type Yolov8Layout = 'channelMajor' | 'anchorMajor';

export interface Yolov8Params {
  /** When given, the output must have exactly 4 + numClasses channels; otherwise it is inferred. */
  numClasses?: number;
  layout?: Yolov8Layout;
  scoreThreshold?: number;
  /** At most this many candidates, best first (before NMS). */
  topK?: number;
  classIds?: readonly number[];
}

export const YOLOV8_DEFAULTS = {
  layout: 'channelMajor',
  scoreThreshold: 0.25,
  topK: 300,
} as const satisfies Required<Pick<Yolov8Params, 'layout' | 'scoreThreshold' | 'topK'>>;

/**
 * Decodes a standard YOLOv8/YOLO11 detection head (cx, cy, w, h in model-input pixels, then C class scores
 * already passed through a sigmoid; no objectness) into one detection per anchor above threshold, best class.
 * Run `nonMaxSuppression` and `unletterboxDetections` after.
 */
export function decodeYolov8(output: OutputTensor, params: Yolov8Params = {}): Detections {
  const layout = params.layout ?? YOLOV8_DEFAULTS.layout;
  const scoreThreshold = params.scoreThreshold ?? YOLOV8_DEFAULTS.scoreThreshold;
  const topK = params.topK ?? YOLOV8_DEFAULTS.topK;
  const dims = output.dims;
  const expectedDims = layout === 'channelMajor' ? '[1, 4 + classes, anchors]' : '[1, anchors, 4 + classes]';
  if (layout !== 'channelMajor' && layout !== 'anchorMajor') throw shapeError('params.layout', "'channelMajor' or 'anchorMajor'", JSON.stringify(layout));
  if (dims.length !== 3 || dims[0] !== 1) throw shapeError('output.dims', expectedDims, formatDims(dims));
  const channels = (layout === 'channelMajor' ? dims[1] : dims[2]) as number;
  const anchors = (layout === 'channelMajor' ? dims[2] : dims[1]) as number;
  const numClasses = channels - 4;
  if (numClasses < 1 || (params.numClasses !== undefined && numClasses !== params.numClasses)) {
    const wanted = params.numClasses === undefined ? expectedDims : expectedDims.replace('classes', String(params.numClasses));
    throw shapeError('output.dims', `${wanted} (layout ${layout})`, formatDims(dims));
  }
  if (output.data.length !== channels * anchors) {
    throw shapeError('output.data', `length ${channels * anchors} (${formatDims(dims)})`, `length ${output.data.length}`);
  }
  const data = output.data;
  // Element (channel, anchor) lives at channel * channelStep + anchor * anchorStep.
  const channelStep = layout === 'channelMajor' ? anchors : 1;
  const anchorStep = layout === 'channelMajor' ? 1 : channels;

  let allowed: Uint8Array | undefined;
  if (params.classIds !== undefined) {
    allowed = new Uint8Array(numClasses);
    for (const classId of params.classIds) if (classId >= 0 && classId < numClasses) allowed[classId] = 1;
  }

  // Best class per anchor. Channel-major walks each class row contiguously (cache-friendly for [1, 84, 8400]).
  const bestScore = new Float32Array(anchors);
  const bestClass = new Int32Array(anchors).fill(-1);
  for (let classId = 0; classId < numClasses; classId += 1) {
    if (allowed !== undefined && allowed[classId] !== 1) continue;
    const rowStart = (4 + classId) * channelStep;
    for (let anchor = 0; anchor < anchors; anchor += 1) {
      const score = data[rowStart + anchor * anchorStep] as number;
      if (score > (bestScore[anchor] as number) || bestClass[anchor] === -1) {
        bestScore[anchor] = score;
        bestClass[anchor] = classId;
      }
    }
  }

  const candidateAnchor = new Int32Array(anchors);
  const candidateScore = new Float32Array(anchors);
  let candidates = 0;
  for (let anchor = 0; anchor < anchors; anchor += 1) {
    if (bestClass[anchor] !== -1 && (bestScore[anchor] as number) >= scoreThreshold) {
      candidateAnchor[candidates] = anchor;
      candidateScore[candidates] = bestScore[anchor] as number;
      candidates += 1;
    }
  }
  const kept = topKIndices(candidateScore, candidates, topK);
  const count = kept.length;
  const xyxy = new Float32Array(count * 4);
  const confidence = new Float32Array(count);
  const classId = new Int32Array(count);
  for (let out = 0; out < count; out += 1) {
    const candidate = kept[out] as number;
    const anchor = candidateAnchor[candidate] as number;
    const base = anchor * anchorStep;
    const centerX = data[base] as number;
    const centerY = data[base + channelStep] as number;
    const halfWidth = (data[base + 2 * channelStep] as number) / 2;
    const halfHeight = (data[base + 3 * channelStep] as number) / 2;
    xyxy[out * 4] = centerX - halfWidth;
    xyxy[out * 4 + 1] = centerY - halfHeight;
    xyxy[out * 4 + 2] = centerX + halfWidth;
    xyxy[out * 4 + 3] = centerY + halfHeight;
    confidence[out] = candidateScore[candidate] as number;
    classId[out] = bestClass[anchor] as number;
  }
  return new Detections(xyxy, confidence, classId);
}
