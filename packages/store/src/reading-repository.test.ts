import { describe, expect, it } from 'vitest';
import { bucketFloorMs, historyPlan } from './reading-repository';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('history plan', () => {
  it('floors to UTC buckets', () => {
    expect(bucketFloorMs(Date.UTC(2026, 5, 1, 13, 59, 59), HOUR)).toBe(Date.UTC(2026, 5, 1, 13));
    expect(bucketFloorMs(Date.UTC(2026, 5, 1, 23, 0), DAY)).toBe(Date.UTC(2026, 5, 1));
  });

  it.each([
    {
      name: 'an old range comes wholly from the view',
      query: { fromMs: Date.UTC(2026, 0, 1, 10, 30), toMs: Date.UTC(2026, 0, 1, 12, 0) },
      nowMs: Date.UTC(2026, 5, 1),
      expected: { lowerMs: Date.UTC(2026, 0, 1, 10), upperMs: Date.UTC(2026, 0, 1, 12), tailStartMs: Date.UTC(2026, 0, 1, 12) },
    },
    {
      name: 'a recent range comes wholly from raw',
      query: { fromMs: Date.UTC(2026, 5, 1, 8), toMs: Date.UTC(2026, 5, 1, 9, 15) },
      nowMs: Date.UTC(2026, 5, 1, 9, 15),
      expected: { lowerMs: Date.UTC(2026, 5, 1, 8), upperMs: Date.UTC(2026, 5, 1, 10), tailStartMs: Date.UTC(2026, 5, 1, 8) },
    },
    {
      name: 'a range across the tail splits at a bucket boundary',
      query: { fromMs: Date.UTC(2026, 4, 20), toMs: Date.UTC(2026, 5, 1, 9, 15) },
      nowMs: Date.UTC(2026, 5, 1, 9, 15),
      expected: { lowerMs: Date.UTC(2026, 4, 20), upperMs: Date.UTC(2026, 5, 1, 10), tailStartMs: Date.UTC(2026, 4, 30, 9) },
    },
  ])('$name', ({ query, nowMs, expected }) => {
    expect(historyPlan(query, HOUR, nowMs, 2 * DAY)).toEqual(expected);
  });
});
