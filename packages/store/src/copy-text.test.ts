import { describe, expect, it } from 'vitest';
import { copyField, copyTextRow, copyTimestamp, escapeCopyText } from './copy-text';

describe('COPY text format', () => {
  it.each([
    { name: 'plain text', input: 'hn-aq-001', expected: 'hn-aq-001' },
    { name: 'backslash', input: 'a\\b', expected: 'a\\\\b' },
    { name: 'tab', input: 'a\tb', expected: 'a\\tb' },
    { name: 'newline', input: 'line1\nline2', expected: 'line1\\nline2' },
    { name: 'carriage return', input: 'a\r\nb', expected: 'a\\r\\nb' },
    { name: 'a literal \\N stays text', input: '\\N', expected: '\\\\N' },
    { name: 'NUL, which text cannot hold', input: 'a\0b', expected: 'a\uFFFDb' },
    { name: 'Vietnamese and emoji untouched', input: 'Bụi PM2.5 🌫', expected: 'Bụi PM2.5 🌫' },
    { name: 'JSON with quotes', input: '{"value":"x"}', expected: '{"value":"x"}' },
  ])('escapes $name', ({ input, expected }) => {
    expect(escapeCopyText(input)).toBe(expected);
  });

  it.each([
    { input: null, expected: '\\N' },
    { input: undefined, expected: '\\N' },
    { input: 12.5, expected: '12.5' },
    { input: -0.001, expected: '-0.001' },
    { input: 1e21, expected: '1e+21' },
    { input: Number.NaN, expected: 'NaN' },
    { input: Number.POSITIVE_INFINITY, expected: 'Infinity' },
  ])('writes field $input as $expected', ({ input, expected }) => {
    expect(copyField(input)).toBe(expected);
  });

  it('joins fields with tabs and ends the row with a newline', () => {
    expect(copyTextRow(['mqtt', null, 'a\tb', 3])).toBe('mqtt\t\\N\ta\\tb\t3\n');
  });

  it('writes timestamps as UTC ISO with milliseconds', () => {
    expect(copyTimestamp(Date.UTC(2026, 10, 24, 1, 2, 3, 45))).toBe('2026-11-24T01:02:03.045Z');
  });
});
