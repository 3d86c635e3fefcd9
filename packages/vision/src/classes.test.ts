import { describe, expect, it } from 'vitest';
import { COCO_LABELS, cocoClassIdsOf } from './classes';

describe('cocoClassIdsOf', () => {
  const cases: { name: string; labels: readonly string[]; expected: number[] | undefined }[] = [
    { name: 'the 80 COCO labels in order need no mapping', labels: COCO_LABELS, expected: undefined },
    { name: 'the traffic head of nanodet-416-vn', labels: ['motorcycle', 'car', 'bus', 'truck', 'bicycle', 'traffic light'], expected: [3, 2, 5, 7, 1, 9] },
    { name: 'COCO names in COCO order but fewer', labels: ['person', 'bicycle', 'car'], expected: [0, 1, 2] },
    { name: 'a label that is not a COCO name keeps the model ids', labels: ['car', 'MOTORBIKE'], expected: undefined },
    { name: 'COCO labels reordered', labels: [...COCO_LABELS].reverse(), expected: Array.from({ length: 80 }, (_, index) => 79 - index) },
  ];
  it.each(cases)('$name', ({ labels, expected }) => {
    const ids = cocoClassIdsOf(labels);
    expect(ids === undefined ? undefined : [...ids]).toEqual(expected);
  });
});
