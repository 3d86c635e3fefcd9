import { describe, expect, it } from 'vitest';
import { districtAt } from './site';

// Two neighbouring squares sharing the edge x = 1, and an L-shaped district to check a concave ring.
const districts = [
  { code: 'west', boundary: [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]] as [number, number][] },
  { code: 'east', boundary: [[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]] as [number, number][] },
  { code: 'ell', boundary: [[0, 2], [3, 2], [3, 3], [1, 3], [1, 5], [0, 5], [0, 2]] as [number, number][] },
];

describe('districtAt', () => {
  it.each([
    { name: 'inside the west square', point: [0.5, 0.5], expected: 'west' },
    { name: 'inside the east square', point: [1.5, 0.5], expected: 'east' },
    { name: 'in the foot of the L', point: [2.5, 2.5], expected: 'ell' },
    { name: 'in the leg of the L', point: [0.5, 4.5], expected: 'ell' },
    { name: 'in the notch of the L (outside)', point: [2, 4], expected: undefined },
    { name: 'outside every district', point: [5, 5], expected: undefined },
    { name: 'not a number', point: [Number.NaN, 0.5], expected: undefined },
  ])('$name', ({ point, expected }) => {
    expect(districtAt(districts, point[0] as number, point[1] as number)).toBe(expected);
  });

  it('gives a point on the shared edge to one district, the same one every time', () => {
    const first = districtAt(districts, 1, 0.5);
    expect(['west', 'east']).toContain(first);
    expect(districtAt(districts, 1, 0.5)).toBe(first);
  });
});
