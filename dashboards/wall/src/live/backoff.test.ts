import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  const cases = [
    { name: 'no jitter draws: half the ceiling', random: 0, expected: [250, 500, 1000, 2000, 4000, 5000, 5000] },
    { name: 'full jitter draws: the ceiling', random: 1, expected: [500, 1000, 2000, 4000, 8000, 10000, 10000] },
  ];
  it.each(cases)('$name', ({ random, expected }) => {
    const backoff = new Backoff(500, 10_000, () => random);
    expect(expected.map(() => backoff.next())).toEqual(expected);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff(500, 10_000, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
