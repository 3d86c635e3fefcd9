import { describe, expect, it } from 'vitest';
import { boxQuad, type TextBox } from '@ioc/vision';
import { combineRows, mergeIntoRows, type PlateRow } from './plate-reader';

function text(x1: number, y1: number, x2: number, y2: number): TextBox {
  return { quad: boxQuad(x1, y1, x2, y2), score: 0.9, lengthPixels: x2 - x1, thicknessPixels: y2 - y1 };
}

const extent = (quad: readonly { x: number; y: number }[]): number[] => [
  Math.round(Math.min(...quad.map((point) => point.x))),
  Math.round(Math.min(...quad.map((point) => point.y))),
  Math.round(Math.max(...quad.map((point) => point.x))),
  Math.round(Math.max(...quad.map((point) => point.y))),
];

describe('mergeIntoRows', () => {
  it.each([
    { name: 'a two-row plate stays two rows, top first', boxes: [text(10, 40, 90, 70), text(15, 5, 85, 35)], rows: [[15, 5, 85, 35], [10, 40, 90, 70]] },
    { name: 'a row split at the dash is joined', boxes: [text(10, 5, 40, 35), text(48, 6, 85, 36)], rows: [[10, 5, 85, 36]] },
    { name: 'pieces of a slanted row are joined', boxes: [text(10, 10, 40, 30), text(45, 18, 100, 40)], rows: [[10, 10, 100, 40]] },
    { name: 'plates far apart on one line stay apart', boxes: [text(10, 10, 60, 30), text(400, 12, 450, 32)], rows: [[10, 10, 60, 30], [400, 12, 450, 32]] },
    { name: 'nothing found, no rows', boxes: [], rows: [] },
  ])('$name', ({ boxes, rows }) => {
    expect(mergeIntoRows(boxes).map(extent)).toEqual(rows);
  });
});

describe('combineRows', () => {
  const row = (rowText: string, confidence: number, y: number): PlateRow => ({ text: rowText, confidence, quad: boxQuad(10, y, 90, y + 30) });

  it.each([
    { rows: [row('29-B1', 0.9, 0), row('256.62', 1, 35)], normalised: '29-B1 256.62', confidence: (0.9 * 5 + 6) / 11, box: [10, 0, 90, 65] },
    { rows: [row('3OE-558.78', 0.8, 0)], normalised: '30E-558.78', confidence: 0.8 * 0.9, box: [10, 0, 90, 30] }, // one repair
    { rows: [row('HELLO', 0.8, 0)], normalised: null, confidence: 0.4, box: [10, 0, 90, 30] }, // no plate shape: half
  ])('$rows.0.text … → $normalised', ({ rows, normalised, confidence, box }) => {
    const reading = combineRows(rows);
    expect(reading?.normalised).toBe(normalised);
    expect(reading?.text).toBe(rows.map((entry) => entry.text).join(' '));
    expect(reading?.confidence).toBeCloseTo(confidence, 6);
    expect(reading?.box).toEqual(box);
  });

  it('reads nothing from no rows', () => {
    expect(combineRows([])).toBeUndefined();
  });
});
