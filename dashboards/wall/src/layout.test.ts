import { describe, expect, it } from 'vitest';
import { layoutFor, scaled } from './layout';

describe('layoutFor', () => {
  const cases = [
    { width: 1920, height: 1080, expected: { kind: 'hd', scale: 1 } },
    { width: 3840, height: 2160, expected: { kind: 'uhd', scale: 2 } },
    { width: 7680, height: 2160, expected: { kind: 'span', scale: 2 } },
    { width: 3840, height: 1080, expected: { kind: 'span', scale: 1 } },
    { width: 1280, height: 720, expected: { kind: 'hd', scale: 2 / 3 } },
    { width: 100, height: 100, expected: { kind: 'hd', scale: 0.5 } },
  ];
  it.each(cases)('$width×$height', ({ width, height, expected }) => {
    const layout = layoutFor(width, height);
    expect(layout.kind).toBe(expected.kind);
    expect(layout.scale).toBeCloseTo(expected.scale);
  });

  it('scales pixel sizes', () => {
    expect(scaled(15, 2)).toBe(30);
    expect(scaled(15, 2 / 3)).toBe(10);
  });
});
