import { describe, expect, it } from 'vitest';
import { letterbox } from './letterbox';
import { NANODET_NORMALISATION, YOLO_NORMALISATION, frameToInputTensor } from './preprocess';

function solidFrame(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const frame = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index += 1) frame.set(rgb, index * 3);
  return frame;
}

describe('frameToInputTensor', () => {
  it('normalises a solid BGR frame and pads the letterbox', () => {
    // 8×4 frame into 8×8: rows 0–1 and 6–7 are padding.
    const geometry = letterbox(8, 4, 8);
    const tensor = frameToInputTensor(solidFrame(8, 4, [200, 100, 50]), geometry, NANODET_NORMALISATION);
    const plane = 64;
    const at = (channel: number, y: number, x: number): number => tensor[channel * plane + y * 8 + x] as number;
    // Channel 0 is blue in BGR order.
    expect(at(0, 3, 3)).toBeCloseTo((50 - 103.53) / 57.375, 5);
    expect(at(1, 3, 3)).toBeCloseTo((100 - 116.28) / 57.12, 5);
    expect(at(2, 3, 3)).toBeCloseTo((200 - 123.675) / 58.395, 5);
    expect(at(2, 0, 0)).toBeCloseTo((0 - 123.675) / 58.395, 5);
    expect(at(0, 7, 7)).toBeCloseTo((0 - 103.53) / 57.375, 5);
  });

  it('keeps RGB order, 0..1 scale and grey padding for YOLO exports', () => {
    const geometry = letterbox(4, 8, 8);
    const tensor = frameToInputTensor(solidFrame(4, 8, [255, 0, 51]), geometry, YOLO_NORMALISATION);
    expect(tensor[0 * 64 + 4 * 8 + 4]).toBeCloseTo(1, 6);
    expect(tensor[2 * 64 + 4 * 8 + 4]).toBeCloseTo(0.2, 6);
    expect(tensor[1 * 64 + 4 * 8 + 0]).toBeCloseTo(114 / 255, 6);
  });

  it('interpolates a horizontal gradient when shrinking', () => {
    // 4 px wide gradient 0, 100, 200, 250 shrunk to 2 px: half-pixel centres sample between pixel pairs.
    const frame = new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 250, 250, 250]);
    const geometry = letterbox(4, 1, { width: 2, height: 1 });
    const tensor = frameToInputTensor(frame, geometry, { channelOrder: 'rgb', mean: [0, 0, 0], std: [1, 1, 1], padValue: 0 });
    expect(Array.from(tensor.subarray(0, 2))).toEqual([50, 225]);
  });

  it('rejects a frame of the wrong size', () => {
    expect(() => frameToInputTensor(new Uint8Array(10), letterbox(8, 4, 8), NANODET_NORMALISATION)).toThrow(/RGB24/);
  });
});
