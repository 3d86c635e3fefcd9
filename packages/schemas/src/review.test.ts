import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config';
import {
  REVIEW_METRIC_KEYS,
  addDaysToDate,
  buildReviewMetrics,
  changePercent,
  compareDay,
  dailyReportFileName,
  judgeChange,
  reviewQuerySchema,
  vietnamDateOf,
  vietnamDateStartMs,
  type ReviewDayValues,
} from './review';

describe('Vietnam days', () => {
  it.each([
    { instant: '2025-06-10T16:59:59.999Z', date: '2025-06-10' },
    { instant: '2025-06-10T17:00:00.000Z', date: '2025-06-11' },
    { instant: '2025-12-31T17:00:00.000Z', date: '2026-01-01' },
  ])('$instant is $date in Vietnam', ({ instant, date }) => {
    expect(vietnamDateOf(Date.parse(instant))).toBe(date);
  });

  it('starts a day at 17:00 UTC the evening before and steps across months and leap days', () => {
    expect(new Date(vietnamDateStartMs('2025-06-11')).toISOString()).toBe('2025-06-10T17:00:00.000Z');
    expect(addDaysToDate('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDaysToDate('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDaysToDate('2025-06-11', -7)).toBe('2025-06-04');
  });
});

describe('compareDay', () => {
  // Values by day offset from 2025-06-11: -8 … 0.
  const series = (values: Array<number | null>) => (date: string) => {
    const offset = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse('2025-06-11T00:00:00Z')) / 86_400_000);
    return values[offset + 8] ?? null;
  };
  it.each([
    {
      name: 'counts: day before, mean of the 7 days before, same weekday',
      values: [110, 210, 310, 410, 510, 610, 710, 817, 913],
      date: '2025-06-11',
      expected: { value: 913, dayBefore: 817, sevenDayAverage: 511, sameWeekdayLastWeek: 210 },
    },
    {
      name: 'the day before the chosen day looks one day further back',
      values: [110, 210, 310, 410, 510, 610, 710, 817, 913],
      date: '2025-06-10',
      expected: { value: 817, dayBefore: 710, sevenDayAverage: 410, sameWeekdayLastWeek: 110 },
    },
    {
      name: 'days without a value (a rate with nothing to process) are left out of the mean',
      values: [null, 50, null, null, null, null, 80, 90, 100],
      date: '2025-06-11',
      expected: { value: 100, dayBefore: 90, sevenDayAverage: (50 + 80 + 90) / 3, sameWeekdayLastWeek: 50 },
    },
    {
      name: 'no history at all',
      values: [null, null, null, null, null, null, null, null, 4],
      date: '2025-06-11',
      expected: { value: 4, dayBefore: null, sevenDayAverage: null, sameWeekdayLastWeek: null },
    },
  ])('$name', ({ values, date, expected }) => {
    expect(compareDay(series(values), date)).toEqual(expected);
  });

  it('builds every metric for the chosen day and the day before from the daily values', () => {
    const days: ReviewDayValues[] = Array.from({ length: 9 }, (_, index) => ({
      date: addDaysToDate('2025-06-11', index - 8),
      values: Object.fromEntries(REVIEW_METRIC_KEYS.map((key) => [key, index])) as ReviewDayValues['values'],
    }));
    const metrics = buildReviewMetrics(days, '2025-06-11');
    expect(metrics.map((metric) => metric.key)).toEqual(REVIEW_METRIC_KEYS);
    const violations = metrics.find((metric) => metric.key === 'violationsTotal');
    expect(violations).toMatchObject({ family: 'violations', direction: 'lowerIsBetter', day: { value: 8, dayBefore: 7, sevenDayAverage: 4, sameWeekdayLastWeek: 1 }, previousDay: { value: 7, dayBefore: 6, sevenDayAverage: 3, sameWeekdayLastWeek: 0 } });
  });
});

describe('judging a change', () => {
  it.each([
    { direction: 'lowerIsBetter', value: 5, reference: 4, expected: 'bad' },
    { direction: 'lowerIsBetter', value: 3, reference: 4, expected: 'good' },
    { direction: 'higherIsBetter', value: 90, reference: 85, expected: 'good' },
    { direction: 'higherIsBetter', value: 80, reference: 85, expected: 'bad' },
    { direction: 'neutral', value: 1200, reference: 1000, expected: 'neutral' },
    { direction: 'lowerIsBetter', value: 4, reference: 4, expected: 'same' },
    { direction: 'lowerIsBetter', value: 4, reference: null, expected: 'neutral' },
  ] as const)('$direction $reference → $value is $expected', ({ direction, value, reference, expected }) => {
    expect(judgeChange(direction, value, reference)).toBe(expected);
  });

  it.each([
    { value: 5, reference: 4, expected: 25 },
    { value: 3, reference: 4, expected: -25 },
    { value: 3, reference: 0, expected: null },
    { value: null, reference: 4, expected: null },
  ])('changePercent($value, $reference) = $expected', ({ value, reference, expected }) => {
    expect(changePercent(value, reference)).toBe(expected);
  });
});

describe('review query and config', () => {
  it.each([
    { query: {}, ok: true },
    { query: { date: '2025-06-11', district: '094', agency: 'DBN.STP', lang: 'en' }, ok: true },
    { query: { date: '2024-02-29' }, ok: true },
    { query: { date: '2025-02-29' }, ok: false },
    { query: { date: '11/06/2025' }, ok: false },
    { query: { date: '2025-06-11', lang: 'fr' }, ok: false },
    { query: { day: '2025-06-11' }, ok: false },
  ])('$query valid: $ok', ({ query, ok }) => {
    expect(reviewQuerySchema.safeParse(query).success).toBe(ok);
  });

  it('names report files bao-cao-ngay-DATE', () => {
    expect(dailyReportFileName('2025-06-11', 'pdf')).toBe('bao-cao-ngay-2025-06-11.pdf');
    expect(dailyReportFileName('2025-06-11', 'csv')).toBe('bao-cao-ngay-2025-06-11.csv');
  });

  it('gives reports embedded defaults and refuses an hour out of range', () => {
    expect(resolveConfig(undefined, {}).reports).toEqual({ enabled: true, dailyAtHourVietnam: 6 });
    expect(() => resolveConfig({ reports: { dailyAtHourVietnam: 24 } }, {})).toThrow(/reports\.dailyAtHourVietnam/);
    expect(() => resolveConfig({ reports: { hour: 6 } }, {})).toThrow(/hour/);
  });
});
