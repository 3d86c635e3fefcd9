import { boxIou } from './nms';

/** One box with a class name (ground truth) or a class name and a score (prediction), in pixels. */
export interface LabelledBox {
  xyxy: readonly [number, number, number, number];
  className: string;
}

export interface ScoredBox extends LabelledBox {
  score: number;
}

export interface EvaluationImage {
  truths: readonly LabelledBox[];
  predictions: readonly ScoredBox[];
  /** Regions where nothing was labelled on purpose: predictions centred inside them are ignored. */
  ignoreRegions?: ReadonlyArray<readonly [number, number, number, number]>;
}

export interface EvaluationOptions {
  iouThreshold?: number;
  /**
   * Boxes whose shorter side is below this are too small to judge: an unmatched small truth is not a miss and an
   * unmatched small prediction is not a false alarm (matched ones still count).
   */
  minBoxSidePixels?: number;
  /** The operating score: precision and recall are reported at it; AP uses every prediction. */
  scoreThreshold?: number;
  /** `recallAtPrecisionFloor` is the most recall any score threshold gives while precision stays at or above this. */
  precisionFloor?: number;
}

export interface ClassEvaluation {
  className: string;
  truths: number;
  /** Predictions at or above the operating score. */
  predictions: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Average precision at the IoU threshold (all-point interpolation, as PASCAL VOC 2010+ and COCO per class). */
  averagePrecision: number;
  /**
   * The best recall over every score threshold whose precision is ≥ `precisionFloor` ("recall ≥ 0.8 at precision
   * ≥ 0.8" targets are read off this, not off the one operating score), and the threshold that gives it (null:
   * no threshold reaches the floor).
   */
  recallAtPrecisionFloor: number;
  scoreAtPrecisionFloor: number | null;
}

export const EVALUATION_DEFAULTS = { iouThreshold: 0.5, minBoxSidePixels: 8, scoreThreshold: 0.35, precisionFloor: 0.8 } as const;

const shorterSide = (box: readonly number[]): number => Math.min((box[2] as number) - (box[0] as number), (box[3] as number) - (box[1] as number));

function insideAny(box: readonly number[], regions: EvaluationImage['ignoreRegions']): boolean {
  if (!regions) return false;
  const centerX = ((box[0] as number) + (box[2] as number)) / 2;
  const centerY = ((box[1] as number) + (box[3] as number)) / 2;
  return regions.some(([x1, y1, x2, y2]) => centerX >= x1 && centerX <= x2 && centerY >= y1 && centerY <= y2);
}

/**
 * Per-class precision, recall and AP at an IoU threshold over a set of images. Greedy matching per image and
 * class, best score first, each truth matched at most once (the COCO/VOC procedure).
 */
export function evaluateDetections(images: readonly EvaluationImage[], options: EvaluationOptions = {}): ClassEvaluation[] {
  const iouThreshold = options.iouThreshold ?? EVALUATION_DEFAULTS.iouThreshold;
  const minSide = options.minBoxSidePixels ?? EVALUATION_DEFAULTS.minBoxSidePixels;
  const scoreThreshold = options.scoreThreshold ?? EVALUATION_DEFAULTS.scoreThreshold;
  const precisionFloor = options.precisionFloor ?? EVALUATION_DEFAULTS.precisionFloor;
  const classNames = new Set<string>();
  for (const image of images) for (const box of image.truths) classNames.add(box.className);

  const results: ClassEvaluation[] = [];
  for (const className of [...classNames].sort()) {
    const ranked: Array<{ score: number; truePositive: boolean }> = [];
    let truths = 0;
    let falseNegativesAtOperatingPoint = 0;
    for (const image of images) {
      const classTruths = image.truths.filter((box) => box.className === className);
      const predictions = image.predictions.filter((box) => box.className === className).sort((left, right) => right.score - left.score);
      const matchedBy = new Array<number>(classTruths.length).fill(-1);
      for (const [predictionIndex, prediction] of predictions.entries()) {
        let bestIou = iouThreshold;
        let bestTruth = -1;
        classTruths.forEach((truth, truthIndex) => {
          if (matchedBy[truthIndex] !== -1) return;
          const iou = boxIou(prediction.xyxy, truth.xyxy);
          if (iou >= bestIou) {
            bestIou = iou;
            bestTruth = truthIndex;
          }
        });
        if (bestTruth >= 0) {
          matchedBy[bestTruth] = predictionIndex;
          ranked.push({ score: prediction.score, truePositive: true });
        } else if (shorterSide(prediction.xyxy) >= minSide && !insideAny(prediction.xyxy, image.ignoreRegions)) {
          ranked.push({ score: prediction.score, truePositive: false });
        }
      }
      classTruths.forEach((truth, truthIndex) => {
        const matched = matchedBy[truthIndex] as number;
        if (matched === -1 && shorterSide(truth.xyxy) < minSide) return; // too small to judge
        truths += 1;
        if (matched === -1 || (predictions[matched] as ScoredBox).score < scoreThreshold) falseNegativesAtOperatingPoint += 1;
      });
    }
    ranked.sort((left, right) => right.score - left.score);
    const operating = ranked.filter((entry) => entry.score >= scoreThreshold);
    const truePositives = operating.filter((entry) => entry.truePositive).length;
    const falsePositives = operating.length - truePositives;
    results.push({
      className,
      truths,
      predictions: operating.length,
      truePositives,
      falsePositives,
      falseNegatives: falseNegativesAtOperatingPoint,
      precision: operating.length === 0 ? 0 : truePositives / operating.length,
      recall: truths === 0 ? 0 : truePositives / truths,
      averagePrecision: averagePrecision(ranked, truths),
      ...recallAtPrecision(ranked, truths, precisionFloor),
    });
  }
  return results;
}

/**
 * The most recall a score threshold gives at precision ≥ `floor`. `ranked` is sorted by score, highest first; a
 * threshold keeps every entry scoring at or above it, so the cuts fall only between different scores.
 */
export function recallAtPrecision(
  ranked: ReadonlyArray<{ score: number; truePositive: boolean }>,
  truths: number,
  floor: number,
): { recallAtPrecisionFloor: number; scoreAtPrecisionFloor: number | null } {
  let best = { recallAtPrecisionFloor: 0, scoreAtPrecisionFloor: null as number | null };
  if (truths === 0) return best;
  let truePositives = 0;
  ranked.forEach((entry, index) => {
    if (entry.truePositive) truePositives += 1;
    const next = ranked[index + 1];
    if (next !== undefined && next.score === entry.score) return; // not a cut: a threshold keeps ties together
    const recall = truePositives / truths;
    if (truePositives / (index + 1) >= floor && recall > best.recallAtPrecisionFloor) best = { recallAtPrecisionFloor: recall, scoreAtPrecisionFloor: entry.score };
  });
  return best;
}

/** Area under the precision–recall curve with precision made monotone (all-point interpolation). */
export function averagePrecision(ranked: ReadonlyArray<{ truePositive: boolean }>, truths: number): number {
  if (truths === 0) return 0;
  const recall: number[] = [0];
  const precision: number[] = [1];
  let truePositives = 0;
  ranked.forEach((entry, index) => {
    if (entry.truePositive) truePositives += 1;
    recall.push(truePositives / truths);
    precision.push(truePositives / (index + 1));
  });
  for (let index = precision.length - 2; index >= 0; index -= 1) precision[index] = Math.max(precision[index] as number, precision[index + 1] as number);
  let area = 0;
  for (let index = 1; index < recall.length; index += 1) area += ((recall[index] as number) - (recall[index - 1] as number)) * (precision[index] as number);
  return area;
}
