import { describe, expect, it } from 'vitest';
import { ByteTrack } from './byte-track';
import { decodeOutputs } from './decoders';
import { Detections } from './detections';
import { letterbox, unletterboxBoxes } from './letterbox';
import { boxIou, nonMaxSuppression } from './nms';
import { fuseRiders } from './riders';

function boxes(rows: Array<[number, number, number, number, number, number]>): Detections {
  return Detections.fromArrays({
    xyxy: rows.flatMap((row) => row.slice(0, 4)),
    confidence: rows.map((row) => row[4]),
    classId: rows.map((row) => row[5]),
  });
}

describe('letterbox', () => {
  it.each([
    { source: [1920, 1080], input: 416, scale: 416 / 1920, resized: [416, 234], pad: [0, 91] },
    { source: [1080, 1920], input: 416, scale: 416 / 1920, resized: [234, 416], pad: [91, 0] },
    { source: [416, 416], input: 416, scale: 1, resized: [416, 416], pad: [0, 0] },
    { source: [320, 240], input: 640, scale: 2, resized: [640, 480], pad: [0, 80] },
  ])('fits $source into $input', ({ source, input, scale, resized, pad }) => {
    const geometry = letterbox(source[0] as number, source[1] as number, input);
    expect(geometry.scale).toBeCloseTo(scale, 9);
    expect([geometry.resizedWidthPixels, geometry.resizedHeightPixels]).toEqual(resized);
    expect([geometry.padLeftPixels, geometry.padTopPixels]).toEqual(pad);
  });

  it('maps model-input boxes back to the source frame', () => {
    const geometry = letterbox(1920, 1080, 416);
    const inModel = new Float32Array([0, 91, 416, 91 + 234]);
    const back = Array.from(unletterboxBoxes(inModel, geometry));
    expect(back[0]).toBeCloseTo(0, 3);
    expect(back[2]).toBeCloseTo(1920, 3);
    expect(back[3]! - back[1]!).toBeCloseTo(1080, 0);
  });

  it('rejects sizes that are not positive', () => {
    expect(() => letterbox(0, 100, 416)).toThrow(/sourceWidthPixels/);
  });
});

describe('nonMaxSuppression', () => {
  it.each([
    { name: 'keeps the best of two overlapping boxes of a class', rows: [[0, 0, 10, 10, 0.9, 2], [1, 1, 11, 11, 0.8, 2]], agnostic: false, kept: [0.9] },
    { name: 'keeps overlapping boxes of different classes', rows: [[0, 0, 10, 10, 0.9, 2], [1, 1, 11, 11, 0.8, 7]], agnostic: false, kept: [0.9, 0.8] },
    { name: 'suppresses across classes when class agnostic', rows: [[0, 0, 10, 10, 0.9, 2], [1, 1, 11, 11, 0.8, 7]], agnostic: true, kept: [0.9] },
    { name: 'keeps boxes below the IoU threshold', rows: [[0, 0, 10, 10, 0.7, 2], [8, 8, 18, 18, 0.9, 2]], agnostic: false, kept: [0.9, 0.7] },
  ] as Array<{ name: string; rows: Array<[number, number, number, number, number, number]>; agnostic: boolean; kept: number[] }>)('$name', ({ rows, agnostic, kept }) => {
    const result = nonMaxSuppression(boxes(rows), 0.5, { classAgnostic: agnostic });
    expect(Array.from(result.confidence).map((value) => Math.round(value * 10) / 10)).toEqual(kept);
  });

  it('computes IoU', () => {
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 9);
    expect(boxIou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });
});

describe('decodeOutputs (YOLOv8 / YOLO11 head)', () => {
  it('decodes a channel-major [1, 4 + C, N] output', () => {
    // Two anchors, three classes: anchor 0 is a car (class 2) at (100, 50) 20×10; anchor 1 is below threshold.
    const anchors = 2;
    const channels = 7;
    const data = new Float32Array(channels * anchors);
    const set = (channel: number, anchor: number, value: number): void => {
      data[channel * anchors + anchor] = value;
    };
    set(0, 0, 100);
    set(1, 0, 50);
    set(2, 0, 20);
    set(3, 0, 10);
    set(6, 0, 0.9);
    set(4, 1, 0.1);
    const detections = decodeOutputs('yolov8', { output0: { data, dims: [1, channels, anchors] } });
    expect(detections.toObjects()).toEqual([{ xyxy: [90, 45, 110, 55], confidence: expect.closeTo(0.9, 5) as unknown as number, classId: 2 }]);
  });

  it('names the expected shape when the output does not fit', () => {
    expect(() => decodeOutputs('yolo11', { output0: { data: new Float32Array(6), dims: [1, 6] } })).toThrow(/\[1, 4 \+ classes, anchors\]/);
    expect(() => decodeOutputs('yolov8', { a: { data: new Float32Array(5), dims: [1, 5, 1] }, b: { data: new Float32Array(5), dims: [1, 5, 1] } })).toThrow(/exactly one output/);
  });
});

describe('ByteTrack', () => {
  function moving(frames: number, startX: number, stepX: number, y = 100, size = 20): Detections[] {
    return Array.from({ length: frames }, (_, frame) => boxes([[startX + frame * stepX, y, startX + frame * stepX + size, y + size, 0.9, 3]]));
  }

  it('gives a steady id to a moving box once confirmed', () => {
    const tracker = new ByteTrack({ minimumConsecutiveFrames: 2 });
    const ids = moving(6, 0, 8).map((frame) => Array.from(tracker.update(frame).trackId ?? []));
    expect(ids[0]).toEqual([-1]);
    expect(new Set(ids.slice(1).flat())).toEqual(new Set([1]));
  });

  it('keeps two vehicles apart and never reuses an id', () => {
    const tracker = new ByteTrack({ minimumConsecutiveFrames: 1 });
    for (let frame = 0; frame < 5; frame += 1) {
      tracker.update(boxes([[frame * 10, 0, frame * 10 + 20, 20, 0.9, 3], [200 - frame * 10, 100, 220 - frame * 10, 120, 0.9, 2]]));
    }
    const last = tracker.update(boxes([[50, 0, 70, 20, 0.9, 3], [150, 100, 170, 120, 0.9, 2]]));
    expect(Array.from(last.trackId ?? []).sort()).toEqual([1, 2]);
    for (let frame = 0; frame < 40; frame += 1) tracker.update(Detections.empty());
    const fresh = tracker.update(boxes([[0, 0, 20, 20, 0.9, 3]]));
    expect(Math.max(...Array.from(fresh.trackId ?? [0]))).toBeGreaterThan(2);
  });

  it('follows a small fast box that moves more than its width per frame (5 fps)', () => {
    const tracker = new ByteTrack({ minimumConsecutiveFrames: 1 });
    const ids = moving(6, 0, 30, 100, 16).map((frame) => Array.from(tracker.update(frame).trackId ?? []));
    expect(new Set(ids.flat())).toEqual(new Set([1]));
  });

  // The Hà Nội clip's splice: a slow motorbike (0.1 box heights per frame) whose box, at the cut, is suddenly
  // another motorbike 1.5 box sizes away. Young tracks may jump that far (first row above); an established one may not.
  it.each([
    { name: 'an established slow track does not jump to a box 1.5 sizes off its path', steadyFrames: 8, jumpPixels: 30, sameId: false },
    { name: 'a young track may (it has no velocity yet)', steadyFrames: 2, jumpPixels: 30, sameId: true },
    { name: 'an established track keeps a box within a size of its prediction', steadyFrames: 8, jumpPixels: 16, sameId: true },
  ])('$name', ({ steadyFrames, jumpPixels, sameId }) => {
    const tracker = new ByteTrack({ minimumConsecutiveFrames: 1 });
    let lastX = 0;
    for (let frame = 0; frame < steadyFrames; frame += 1) {
      lastX = frame * 2;
      tracker.update(boxes([[lastX, 100, lastX + 20, 120, 0.9, 3]]));
    }
    const jumped = lastX + 2 + jumpPixels;
    const after = Array.from(tracker.update(boxes([[jumped, 100, jumped + 20, 120, 0.9, 3]])).trackId ?? []);
    expect(after[0] === 1).toBe(sameId);
  });
});

describe('fuseRiders', () => {
  it('folds a rider into the motorbike under them', () => {
    // person 0 on motorcycle 3: person box over the upper part of the bike box.
    const fused = fuseRiders(boxes([[10, 0, 30, 40, 0.8, 0], [5, 20, 35, 60, 0.6, 3]]));
    expect(fused.toObjects()).toEqual([{ xyxy: [5, 0, 35, 60], confidence: expect.closeTo(0.8, 5) as unknown as number, classId: 3 }]);
  });

  it('leaves a pedestrian beside a motorbike alone', () => {
    const fused = fuseRiders(boxes([[100, 0, 120, 40, 0.8, 0], [5, 20, 35, 60, 0.6, 3]]));
    expect(Array.from(fused.classId).sort()).toEqual([0, 3]);
  });
});
