import { describe, expect, it } from 'vitest';
import { FrameRingBuffer } from './frame-ring-buffer';

const entry = (index: number, byteLength = 100) => ({ index, byteLength });

describe('FrameRingBuffer', () => {
  it.each([
    // [maxFrames, maxBytes, frame sizes pushed (indices 0..n-1), indices held afterwards]
    { bound: 'count', maxFrames: 3, maxBytes: 10_000, sizes: [100, 100, 100, 100, 100], held: [2, 3, 4] },
    { bound: 'bytes', maxFrames: 100, maxBytes: 250, sizes: [100, 100, 100, 100], held: [2, 3] },
    { bound: 'bytes, uneven frames', maxFrames: 100, maxBytes: 300, sizes: [50, 50, 250, 40], held: [2, 3] },
    { bound: 'the newest stays even when larger than the cap', maxFrames: 5, maxBytes: 100, sizes: [50, 500], held: [1] },
    { bound: 'under both bounds', maxFrames: 5, maxBytes: 10_000, sizes: [10, 10], held: [0, 1] },
  ])('drops the oldest beyond its bound ($bound)', ({ maxFrames, maxBytes, sizes, held }) => {
    const ring = new FrameRingBuffer({ maxFrames, maxBytes });
    const dropped: number[] = [];
    sizes.forEach((size, index) => dropped.push(...ring.push(entry(index, size)).map((gone) => gone.index)));
    expect(ring.range(0, 1000).map((kept) => kept.index)).toEqual(held);
    expect(dropped).toEqual(sizes.map((_, index) => index).filter((index) => !held.includes(index)));
    expect(ring.bytes).toBe(held.reduce((sum, index) => sum + (sizes[index] as number), 0));
    expect(ring.length).toBe(held.length);
  });

  it('finds entries by index, nearest and by range, also with gaps in the indices', () => {
    const ring = new FrameRingBuffer({ maxFrames: 5, maxBytes: 10_000 });
    for (const index of [3, 4, 7, 8, 12, 13]) ring.push(entry(index));
    // 3 was dropped (five frames at most).
    expect(ring.oldest?.index).toBe(4);
    expect(ring.newest?.index).toBe(13);
    expect(ring.get(7)?.index).toBe(7);
    expect(ring.get(3)).toBeUndefined();
    expect(ring.get(5)).toBeUndefined();
    expect(ring.get(99)).toBeUndefined();
    expect(
      [
        [0, 4],
        [5, 4],
        [6, 7],
        [10, 8],
        [11, 12],
        [50, 13],
      ].map(([index]) => ring.nearest(index as number)?.index),
    ).toEqual([4, 4, 7, 8, 12, 13]);
    expect(ring.range(5, 12).map((kept) => kept.index)).toEqual([7, 8, 12]);
    expect(ring.range(14, 20)).toEqual([]);
  });

  it('stays consistent over many frames (the array is compacted, not shifted per frame)', () => {
    const ring = new FrameRingBuffer({ maxFrames: 10, maxBytes: 1e9 });
    for (let index = 0; index < 10_000; index += 1) ring.push(entry(index));
    expect(ring.length).toBe(10);
    expect(ring.range(0, Number.MAX_SAFE_INTEGER).map((kept) => kept.index)).toEqual(Array.from({ length: 10 }, (_, offset) => 9990 + offset));
    expect(ring.get(9995)?.index).toBe(9995);
  });

  it('refuses a frame that is not newer, and bounds below one', () => {
    const ring = new FrameRingBuffer({ maxFrames: 2, maxBytes: 1000 });
    ring.push(entry(5));
    expect(() => ring.push(entry(5))).toThrow(/not newer/);
    expect(() => ring.push(entry(4))).toThrow(/not newer/);
    expect(() => new FrameRingBuffer({ maxFrames: 0, maxBytes: 10 })).toThrow(RangeError);
    expect(() => new FrameRingBuffer({ maxFrames: 1, maxBytes: 0 })).toThrow(RangeError);
  });
});
