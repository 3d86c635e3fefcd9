import { describe, expect, it } from 'vitest';
import { STRINGS, formatDateTime, formatNumber, formatTime, propertyLabel } from './i18n';
import { formatWallParams, parseWallParams } from './params';

describe('formatNumber', () => {
  const cases = [
    { value: 1234.5, lang: 'vi' as const, digits: 1, expected: '1.234,5' },
    { value: 1234.5, lang: 'en' as const, digits: 1, expected: '1,234.5' },
    { value: 187.5, lang: 'vi' as const, digits: 1, expected: '187,5' },
    { value: 1234567.891, lang: 'vi' as const, digits: 2, expected: '1.234.567,89' },
    { value: 42, lang: 'vi' as const, digits: 1, expected: '42' },
    { value: -3.25, lang: 'vi' as const, digits: 1, expected: '-3,3' },
  ];
  it.each(cases)('$value in $lang → $expected', ({ value, lang, digits, expected }) => {
    expect(formatNumber(value, lang, digits).replace('\u2212', '-')).toBe(expected);
  });
});

describe('formatDateTime', () => {
  const cases = [
    { name: 'UTC morning is the same day', ms: Date.UTC(2026, 10, 24, 1, 2, 3), seconds: false, expected: '24/11/2026 08:02' },
    { name: 'with seconds', ms: Date.UTC(2026, 10, 24, 1, 2, 3), seconds: true, expected: '24/11/2026 08:02:03' },
    { name: 'UTC evening is the next day in Vietnam', ms: Date.UTC(2026, 11, 31, 17, 30, 0), seconds: false, expected: '01/01/2027 00:30' },
  ];
  it.each(cases)('$name', ({ ms, seconds, expected }) => {
    expect(formatDateTime(ms, { seconds })).toBe(expected);
  });

  it('formats the axis time in Vietnam time', () => {
    expect(formatTime(Date.UTC(2026, 10, 24, 16, 5))).toBe('23:05');
  });
});

describe('strings', () => {
  it('has the Vietnamese title with its diacritics', () => {
    expect(STRINGS.vi.title).toBe('Trung tâm Điều hành Thông minh');
    expect(STRINGS.vi.title.normalize('NFC')).toBe(STRINGS.vi.title);
  });

  it('has the same keys in both languages', () => {
    expect(Object.keys(STRINGS.en).sort()).toEqual(Object.keys(STRINGS.vi).sort());
    expect(STRINGS.en.levels).toHaveLength(STRINGS.vi.levels.length);
  });

  it('labels properties per language', () => {
    expect(propertyLabel('noiseLAeq', 'vi')).toBe('Tiếng ồn');
    expect(propertyLabel('noiseLAeq', 'en')).toBe('Noise');
  });
});

describe('parseWallParams', () => {
  const defaults = { lang: 'vi', kiosk: false, property: 'pm25', scene: undefined, rotateSeconds: 60 };
  const cases = [
    { search: '', expected: defaults },
    { search: '?lang=en', expected: { ...defaults, lang: 'en' } },
    { search: '?lang=fr&kiosk=1&property=noiseLAeq', expected: { ...defaults, kiosk: true, property: 'noiseLAeq' } },
    { search: '?property=nonsense&kiosk=0', expected: defaults },
    { search: '?scene=traffic&rotate=30', expected: { ...defaults, scene: 'traffic', rotateSeconds: 30 } },
    { search: '?scene=nowhere&rotate=-5', expected: defaults },
    { search: '?rotate=0', expected: { ...defaults, rotateSeconds: 0 } },
  ];
  it.each(cases)('$search', ({ search, expected }) => {
    expect(parseWallParams(search)).toEqual(expected);
  });

  it('writes back only what differs from the defaults and keeps other parameters', () => {
    expect(formatWallParams('?x=1&lang=en', { lang: 'vi', kiosk: false, property: 'pm25', scene: undefined, rotateSeconds: 60 })).toBe('?x=1');
    expect(formatWallParams('', { lang: 'en', kiosk: true, property: 'pm10', scene: 'incidents', rotateSeconds: 0 })).toBe('?lang=en&kiosk=1&property=pm10&scene=incidents&rotate=0');
  });
});
