import { describe, expect, it } from 'vitest';
import { boxQuad, paddleTensor, warpQuad } from './image-warp';

/** 4×2 image whose red channel is 10·x + 100·y. */
const SOURCE = { rgb: new Uint8Array(Array.from({ length: 8 }, (_, index) => [10 * (index % 4) + 100 * Math.floor(index / 4), 0, 200]).flat()), widthPixels: 4, heightPixels: 2 };

describe('warpQuad', () => {
  it.each([
    { name: 'the whole image at its own size is a copy', quad: boxQuad(0, 0, 4, 2), width: 4, height: 2, red: [0, 10, 20, 30, 100, 110, 120, 130] },
    { name: 'a crop of the right half', quad: boxQuad(2, 0, 4, 2), width: 2, height: 2, red: [20, 30, 120, 130] },
    { name: 'halving averages pixel pairs', quad: boxQuad(0, 0, 4, 2), width: 2, height: 1, red: [55, 75] },
    { name: 'a mirrored quad flips the row', quad: [{ x: 4, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 1 }, { x: 4, y: 1 }] as const, width: 4, height: 1, red: [30, 20, 10, 0] },
    { name: 'outside the image repeats the edge', quad: boxQuad(3, 1, 5, 2), width: 2, height: 1, red: [130, 130] },
  ])('$name', ({ quad, width, height, red }) => {
    const out = warpQuad(SOURCE, quad, width, height);
    expect(Array.from({ length: width * height }, (_, index) => out.rgb[index * 3])).toEqual(red);
    expect(out.rgb[2]).toBe(200);
  });

  it('refuses a buffer that does not match its size', () => {
    expect(() => warpQuad({ rgb: new Uint8Array(5), widthPixels: 4, heightPixels: 2 }, boxQuad(0, 0, 1, 1), 1, 1)).toThrow(/24 bytes of RGB24/);
  });
});

describe('paddleTensor', () => {
  it('writes BGR planes as (pixel/255 − mean) / std', () => {
    const tensor = paddleTensor({ rgb: new Uint8Array([255, 0, 51]), widthPixels: 1, heightPixels: 1 }, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    expect(Array.from(tensor)).toEqual([expect.closeTo(-0.6, 5), expect.closeTo(-1, 5), expect.closeTo(1, 5)]);
  });
});
