import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluateDetections, recallAtPrecision, type EvaluationImage } from './evaluation';

const car = (x: number, y: number, size = 20) => ({ xyxy: [x, y, x + size, y + size] as const, className: 'car' });
const scored = (x: number, y: number, score: number, className = 'car', size = 20) => ({ xyxy: [x, y, x + size, y + size] as const, className, score });

describe('averagePrecision', () => {
  it.each([
    { name: 'all hits ranked first', ranked: [true, true, false], truths: 2, ap: 1 },
    { name: 'a miss ranked first', ranked: [false, true, true], truths: 2, ap: 2 / 3 },
    { name: 'half found', ranked: [true, false], truths: 2, ap: 0.5 },
    { name: 'nothing predicted', ranked: [], truths: 3, ap: 0 },
  ])('$name', ({ ranked, truths, ap }) => {
    expect(averagePrecision(ranked.map((truePositive) => ({ truePositive })), truths)).toBeCloseTo(ap, 9);
  });
});

describe('recallAtPrecision', () => {
  const T = true;
  const F = false;
  it.each([
    { name: 'the last cut still at the floor', ranked: [[T, 0.9], [T, 0.8], [F, 0.7], [T, 0.6], [F, 0.5]], truths: 4, floor: 0.8, recall: 0.5, score: 0.8 },
    { name: 'a lower floor reaches further down', ranked: [[T, 0.9], [T, 0.8], [F, 0.7], [T, 0.6], [F, 0.5]], truths: 4, floor: 0.75, recall: 0.75, score: 0.6 },
    { name: 'tied scores are kept or dropped together', ranked: [[T, 0.9], [T, 0.5], [F, 0.5]], truths: 2, floor: 0.8, recall: 0.5, score: 0.9 },
    { name: 'no threshold reaches the floor', ranked: [[F, 0.9], [T, 0.8]], truths: 1, floor: 0.8, recall: 0, score: null },
    { name: 'no truths', ranked: [[F, 0.9]], truths: 0, floor: 0.8, recall: 0, score: null },
  ] as const)('$name', ({ ranked, truths, floor, recall, score }) => {
    const entries = ranked.map(([truePositive, entryScore]) => ({ truePositive, score: entryScore }));
    expect(recallAtPrecision(entries, truths, floor)).toEqual({ recallAtPrecisionFloor: recall, scoreAtPrecisionFloor: score });
  });
});

describe('evaluateDetections', () => {
  it('counts hits, false alarms and misses per class at the operating score', () => {
    const images: EvaluationImage[] = [
      { truths: [car(0, 0), car(100, 0), { ...car(200, 0), className: 'motorbike' }], predictions: [scored(1, 1, 0.9), scored(300, 300, 0.8), scored(101, 0, 0.2), scored(200, 0, 0.7, 'motorbike')] },
    ];
    const [carResult, motorbike] = evaluateDetections(images, { scoreThreshold: 0.35 });
    // car: at 0.35 one hit (0.9), one false alarm (0.8), one miss (the 0.2 hit is below the operating score).
    expect(carResult).toMatchObject({ className: 'car', truths: 2, predictions: 2, truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5 });
    // AP uses every prediction: ranks hit (0.9), miss (0.8), hit (0.2) → (1·0.5) + (2/3·0.5).
    expect(carResult?.averagePrecision).toBeCloseTo(0.5 + (2 / 3) * 0.5, 9);
    // Precision ≥ 0.8 holds only above the false alarm: half the cars, at score 0.9.
    expect(carResult).toMatchObject({ recallAtPrecisionFloor: 0.5, scoreAtPrecisionFloor: 0.9 });
    expect(motorbike).toMatchObject({ className: 'motorbike', truePositives: 1, precision: 1, recall: 1, averagePrecision: 1 });
  });

  it('matches each truth once: a duplicate prediction is a false alarm', () => {
    const [result] = evaluateDetections([{ truths: [car(0, 0)], predictions: [scored(0, 0, 0.9), scored(1, 1, 0.8)] }]);
    expect(result).toMatchObject({ truePositives: 1, falsePositives: 1 });
  });

  it('ignores unmatched boxes that are too small and predictions inside ignore regions', () => {
    const [result] = evaluateDetections(
      [{ truths: [car(0, 0), car(50, 50, 4)], predictions: [scored(0, 0, 0.9), scored(80, 80, 0.9, 'car', 5), scored(500, 500, 0.9)], ignoreRegions: [[490, 490, 530, 530]] }],
      { minBoxSidePixels: 8 },
    );
    expect(result).toMatchObject({ truths: 1, truePositives: 1, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 });
  });

  it('needs IoU ≥ 0.5 for a hit', () => {
    // 20×20 boxes offset by 8 px: IoU = 240 / 560 ≈ 0.43.
    const [result] = evaluateDetections([{ truths: [car(0, 0)], predictions: [scored(8, 0, 0.9)] }]);
    expect(result).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 1 });
  });
});
