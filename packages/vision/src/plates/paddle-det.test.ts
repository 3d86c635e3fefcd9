import { describe, expect, it } from 'vitest';
import { convexHull, dbPostprocess, detInput, detInputSize, minAreaRectangle, orderCorners } from './paddle-det';

/** A probability map with filled axis-aligned rectangles [x1, y1, x2, y2) of the given probability. */
function mapWith(width: number, height: number, rectangles: Array<[number, number, number, number, number]>): Float32Array {
  const map = new Float32Array(width * height);
  for (const [x1, y1, x2, y2, probability] of rectangles) {
    for (let y = y1; y < y2; y += 1) for (let x = x1; x < x2; x += 1) map[y * width + x] = probability;
  }
  return map;
}

describe('detInputSize', () => {
  it.each([
    // source, long side → tensor size (multiples of 32, aspect kept as near as snapping allows)
    [40, 20, 320, 320, 160],
    [640, 480, 640, 640, 480],
    [1000, 679, 960, 960, 640],
    [30, 34, 320, 288, 320],
    [5, 400, 320, 32, 320], // never below 32
    [4000, 3000, 4000, 1280, 960], // bounded by maxSidePixels
  ])('%i×%i at long side %i → %i×%i', (width, height, longSide, expectedWidth, expectedHeight) => {
    expect(detInputSize(width, height, { longSidePixels: longSide })).toEqual({ widthPixels: expectedWidth, heightPixels: expectedHeight });
  });

  it('refuses an empty source', () => {
    expect(() => detInputSize(0, 10, { longSidePixels: 320 })).toThrow(/positive width and height/);
  });

  it('normalises with ImageNet statistics into BGR planes', () => {
    const rgb = new Uint8Array(64 * 32 * 3);
    for (let index = 0; index < 64 * 32; index += 1) rgb.set([255, 128, 0], index * 3);
    const input = detInput({ rgb, widthPixels: 64, heightPixels: 32 }, { longSidePixels: 64 });
    expect(input.dims).toEqual([1, 3, 32, 64]);
    const plane = 64 * 32;
    expect(input.tensor[0]).toBeCloseTo((0 - 0.485) / 0.229, 5); // blue plane first
    expect(input.tensor[plane]).toBeCloseTo((128 / 255 - 0.456) / 0.224, 5);
    expect(input.tensor[2 * plane]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });
});

describe('minAreaRectangle', () => {
  it('fits an axis-aligned set of points', () => {
    const rectangle = minAreaRectangle([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 4 }, { x: 0, y: 4 }, { x: 5, y: 2 }]);
    expect(rectangle.lengthPixels).toBeCloseTo(10, 6);
    expect(rectangle.thicknessPixels).toBeCloseTo(4, 6);
    expect(rectangle.centre.x).toBeCloseTo(5, 6);
    expect(rectangle.centre.y).toBeCloseTo(2, 6);
  });

  it('fits a rotated rectangle exactly', () => {
    const angle = (25 * Math.PI) / 180;
    const corners = [[-20, -5], [20, -5], [20, 5], [-20, 5]].map(([u, v]) => ({
      x: 100 + (u as number) * Math.cos(angle) - (v as number) * Math.sin(angle),
      y: 50 + (u as number) * Math.sin(angle) + (v as number) * Math.cos(angle),
    }));
    const rectangle = minAreaRectangle(corners);
    expect(rectangle.lengthPixels).toBeCloseTo(40, 6);
    expect(rectangle.thicknessPixels).toBeCloseTo(10, 6);
    expect(Math.abs(rectangle.axis.y / rectangle.axis.x)).toBeCloseTo(Math.tan(angle), 6);
  });

  it('drops interior and collinear points from the hull', () => {
    expect(convexHull([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 2, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 2 }, { x: 1, y: 1 }])).toHaveLength(4);
  });

  it('orders corners clockwise from top-left', () => {
    const quad = orderCorners([{ x: 10, y: 10 }, { x: 0, y: 0 }, { x: 0, y: 10 }, { x: 10, y: 0 }]);
    expect(quad).toEqual([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }]);
  });
});

describe('dbPostprocess', () => {
  it('grows a text kernel back by the unclip distance and maps it to source pixels', () => {
    // Kernel of 40×8 map pixels: hull through pixel centres is 39×7, distance = 39·7·1.5 / (2·46) = 4.45, + 0.5.
    const boxes = dbPostprocess(mapWith(64, 32, [[10, 10, 50, 18, 0.9]]), 64, 32, { x: 2, y: 2 });
    expect(boxes).toHaveLength(1);
    const [box] = boxes as [(typeof boxes)[number]];
    const distance = (39 * 7 * 1.5) / (2 * 46) + 0.5;
    expect(box.lengthPixels).toBeCloseTo(2 * (39 + 2 * distance), 4);
    expect(box.thicknessPixels).toBeCloseTo(2 * (7 + 2 * distance), 4);
    expect(box.quad[0].x).toBeCloseTo(2 * (10.5 - distance), 4);
    expect(box.quad[0].y).toBeCloseTo(2 * (10.5 - distance), 4);
    expect(box.score).toBeCloseTo(0.9, 5);
  });

  it.each([
    { name: 'two rows come out top first', rectangles: [[10, 20, 50, 26, 0.9], [12, 4, 48, 10, 0.8]] as Array<[number, number, number, number, number]>, count: 2, firstTop: 4 },
    { name: 'a region below the binary threshold is background', rectangles: [[10, 10, 50, 18, 0.25]] as Array<[number, number, number, number, number]>, count: 0, firstTop: 0 },
    { name: 'a weak region is dropped by the box threshold', rectangles: [[10, 10, 50, 18, 0.4]] as Array<[number, number, number, number, number]>, count: 0, firstTop: 0 },
    { name: 'a one-pixel line is noise', rectangles: [[10, 10, 50, 11, 0.9]] as Array<[number, number, number, number, number]>, count: 0, firstTop: 0 },
  ])('$name', ({ rectangles, count, firstTop }) => {
    const boxes = dbPostprocess(mapWith(64, 32, rectangles), 64, 32);
    expect(boxes).toHaveLength(count);
    if (count > 0) expect(Math.round(Math.min(...boxes[0]!.quad.map((point) => point.y)) + 4)).toBeGreaterThanOrEqual(firstTop);
    if (count > 1) expect(Math.min(...boxes[0]!.quad.map((point) => point.y))).toBeLessThan(Math.min(...boxes[1]!.quad.map((point) => point.y)));
  });

  it('refuses a map of the wrong size', () => {
    expect(() => dbPostprocess(new Float32Array(10), 4, 4)).toThrow(/length 16/);
  });
});
