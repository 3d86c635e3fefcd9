import { describe, expect, it } from 'vitest';
import { OPERATOR_STRINGS } from '../operator/strings';
import { REPORT_STRINGS } from '../report/strings';

/** Every leaf of a string table: text as is, functions called with sample arguments. */
function leaves(table: unknown, prefix = ''): Array<[string, string]> {
  if (typeof table === 'string') return [[prefix, table]];
  if (typeof table === 'function') {
    const sample = (table as (...args: unknown[]) => unknown)('7', '9');
    return [[prefix, typeof sample === 'string' ? sample : String((table as (parts: unknown) => unknown)({ days: 1, hours: 2, minutes: 3 }))]];
  }
  if (table && typeof table === 'object') return Object.entries(table).flatMap(([key, value]) => leaves(value, prefix ? `${prefix}.${key}` : key));
  return [[prefix, String(table)]];
}

describe.each([
  { page: 'operator', tables: OPERATOR_STRINGS },
  { page: 'report', tables: REPORT_STRINGS },
])('$page strings', ({ tables }) => {
  const vi = leaves(tables.vi);
  const en = leaves(tables.en);

  it('has the same keys in both languages', () => {
    expect(vi.map(([key]) => key)).toEqual(en.map(([key]) => key));
  });

  it('has no empty text, and Vietnamese in NFC (precomposed diacritics, as fonts and search expect)', () => {
    for (const [key, text] of [...vi, ...en]) {
      expect(text.trim(), key).not.toBe('');
      expect(text.normalize('NFC'), key).toBe(text);
    }
  });

  it('is translated: most Vietnamese texts differ from the English ones and carry diacritics', () => {
    const english = new Map(en);
    const same = vi.filter(([key, text]) => english.get(key) === text);
    expect(same.length).toBeLessThan(vi.length / 10);
    expect(vi.filter(([, text]) => /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(text)).length).toBeGreaterThan(vi.length * 0.8);
  });
});

describe('durations in words', () => {
  it.each([
    { parts: { days: 2, hours: 3, minutes: 0 }, vi: '2 ngày 3 giờ', en: '2 d 3 h' },
    { parts: { days: 0, hours: 9, minutes: 5 }, vi: '9 giờ 5 phút', en: '9 h 5 min' },
    { parts: { days: 0, hours: 0, minutes: 42 }, vi: '42 phút', en: '42 min' },
  ])('$vi', ({ parts, vi, en }) => {
    expect(OPERATOR_STRINGS.vi.duration(parts)).toBe(vi);
    expect(OPERATOR_STRINGS.en.duration(parts)).toBe(en);
  });
});
