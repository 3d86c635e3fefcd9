import { describe, expect, it } from 'vitest';
import { deltaView, displayDate, formatFigure, parseDisplayDate, reviewQuery } from './review-view';

const count = { unit: 'count', direction: 'lowerIsBetter' } as const;
const rate = { unit: 'percent', direction: 'higherIsBetter' } as const;
const volume = { unit: 'count', direction: 'neutral' } as const;

describe('deltaView', () => {
  it.each([
    { name: 'violations up 25 % is bad', metric: count, value: 5, reference: 4, lang: 'vi', expected: { text: '+25 %', arrow: '▲', tone: 'bad' } },
    { name: 'violations down is good', metric: count, value: 3, reference: 4, lang: 'vi', expected: { text: '−25 %', arrow: '▼', tone: 'good' } },
    { name: 'from zero: the absolute change', metric: count, value: 3, reference: 0, lang: 'vi', expected: { text: '+3', arrow: '▲', tone: 'bad' } },
    { name: 'a mean of sevenths, in Vietnamese decimals', metric: count, value: 1, reference: 4 / 7, lang: 'vi', expected: { text: '+75 %', arrow: '▲', tone: 'bad' } },
    { name: 'on-time rate in points', metric: rate, value: 87.5, reference: 85.25, lang: 'vi', expected: { text: '+2,3 điểm', arrow: '▲', tone: 'good' } },
    { name: 'on-time rate in points, English', metric: rate, value: 80, reference: 85.25, lang: 'en', expected: { text: '−5.3 pt', arrow: '▼', tone: 'bad' } },
    { name: 'a volume is neither good nor bad', metric: volume, value: 1234, reference: 1000, lang: 'vi', expected: { text: '+23,4 %', arrow: '▲', tone: 'neutral' } },
    { name: 'unchanged', metric: count, value: 2, reference: 2, lang: 'vi', expected: { text: '0', arrow: '=', tone: 'same' } },
    { name: 'no reference', metric: count, value: 2, reference: null, lang: 'vi', expected: { text: '–', arrow: '', tone: 'neutral' } },
  ] as const)('$name', ({ metric, value, reference, lang, expected }) => {
    expect(deltaView(metric, value, reference, lang, lang === 'vi' ? 'điểm' : 'pt')).toEqual(expected);
  });
});

describe('formatting', () => {
  it.each([
    { value: 12345, unit: 'count', lang: 'vi', expected: '12.345' },
    { value: 1234.56, unit: 'count', lang: 'vi', expected: '1.234,6' },
    { value: 1234.56, unit: 'count', lang: 'en', expected: '1,234.6' },
    { value: 87.43, unit: 'percent', lang: 'vi', expected: '87,4 %' },
    { value: null, unit: 'count', lang: 'vi', expected: '–' },
  ] as const)('formatFigure($value, $unit, $lang) = $expected', ({ value, unit, lang, expected }) => {
    expect(formatFigure(value, unit, lang)).toBe(expected);
  });

  it('writes dates dd/MM/yyyy and builds the export query', () => {
    expect(displayDate('2025-06-01')).toBe('01/06/2025');
    expect(reviewQuery({ date: '2025-06-01', district: '094', lang: 'en' })).toBe('date=2025-06-01&district=094&lang=en');
    expect(reviewQuery({ date: '2025-06-01', agency: 'Sở Xây dựng' })).toBe('date=2025-06-01&agency=S%E1%BB%9F+X%C3%A2y+d%E1%BB%B1ng');
  });
});

describe('parseDisplayDate', () => {
  it.each([
    { text: '11/06/2025', expected: '2025-06-11' },
    { text: '1/6/2025', expected: '2025-06-01' },
    { text: ' 29.02.2024 ', expected: '2024-02-29' },
    { text: '29/02/2025', expected: undefined },
    { text: '06/31/2025', expected: undefined },
    { text: '2025-06-11', expected: undefined },
    { text: '', expected: undefined },
  ])('$text → $expected', ({ text, expected }) => {
    expect(parseDisplayDate(text)).toBe(expected);
  });
});
