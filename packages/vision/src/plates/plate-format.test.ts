import { describe, expect, it } from 'vitest';
import { compactPlate, normalisePlate, plateEditDistance, plateMatchScore } from './plate-format';

describe('normalisePlate', () => {
  it.each([
    // rows as read → official layout, format, repairs, trimmed
    { rows: ['30E-558.78'], normalised: '30E-558.78', format: 'car', repairs: 0, trimmed: 0 },
    { rows: ['51F12345'], normalised: '51F-123.45', format: 'car', repairs: 0, trimmed: 0 },
    { rows: ['30A-123.45'], normalised: '30A-123.45', format: 'car', repairs: 0, trimmed: 0 },
    { rows: ['3OE-558.78'], normalised: '30E-558.78', format: 'car', repairs: 1, trimmed: 0 }, // O where a digit is printed
    { rows: ['30E-SS8.7B'], normalised: '30E-558.78', format: 'car', repairs: 3, trimmed: 0 }, // S→5, B→8
    { rows: ['302-558.78'], normalised: '30Z-558.78', format: 'car', repairs: 1, trimmed: 0 }, // 2 where a letter is printed
    { rows: ['30A-1234'], normalised: '30A-1234', format: 'car-4-digit', repairs: 0, trimmed: 0 },
    { rows: ['51LD-123.45'], normalised: '51LD-123.45', format: 'car-2-letter', repairs: 0, trimmed: 0 },
    { rows: ['29-B1', '256.62'], normalised: '29-B1 256.62', format: 'motorbike', repairs: 0, trimmed: 0 },
    { rows: ['59-X3', '123.45'], normalised: '59-X3 123.45', format: 'motorbike', repairs: 0, trimmed: 0 },
    { rows: ['29-81', '256.62'], normalised: '29-B1 256.62', format: 'motorbike', repairs: 1, trimmed: 0 }, // 8 where the series letter is
    { rows: ['29-BI', '2S6.62'], normalised: '29-B1 256.62', format: 'motorbike', repairs: 2, trimmed: 0 },
    { rows: ['29-D1', 'O70.Z9'], normalised: '29-D1 070.29', format: 'motorbike', repairs: 2, trimmed: 0 }, // D stays a letter in the series
    { rows: ['30-L9', '0860'], normalised: '30-L9 0860', format: 'motorbike-4-digit', repairs: 0, trimmed: 0 },
    { rows: ['30A', '999.99'], normalised: '30A-999.99', format: 'car', repairs: 0, trimmed: 0 }, // square car plate
    { rows: ['50LD', '004.54'], normalised: '50LD-004.54', format: 'car-2-letter', repairs: 0, trimmed: 0 },
    { rows: ['30E-558.781'], normalised: '30E-558.78', format: 'car', repairs: 0, trimmed: 1 }, // a screw read as 1
    { rows: ['29-B1 256.62'], normalised: '29-B1 256.62', format: 'motorbike', repairs: 0, trimmed: 0 }, // both rows in one line
  ])('$rows → $normalised', ({ rows, normalised, format, repairs, trimmed }) => {
    expect(normalisePlate(rows)).toEqual({ normalised, compact: normalised.replace(/[^0-9A-Z]/g, ''), format, repairs, trimmed });
  });

  it.each([[['']], [['HELLO']], [['12']], [['ABCDEFGH']], [[]]])('refuses %j', (rows) => {
    expect(normalisePlate(rows)).toBeUndefined();
  });

  it('tells a motorbike from a square car plate by the top row', () => {
    expect(normalisePlate(['30E5', '5878'])?.format).toBe('motorbike-4-digit');
    expect(normalisePlate(['30E', '558.78'])?.format).toBe('car');
  });
});

describe('plate search', () => {
  it.each([
    ['30E-558.78', '30e 55878', 0],
    ['30E-558.78', '30E-558.79', 1],
    ['29-B1 256.62', '29-B1 25662', 0],
    ['29-B1 256.62', '29-B 256.62', 1],
    ['', '30E', 3],
  ])('edit distance %s ~ %s = %d', (a, b, distance) => {
    expect(plateEditDistance(a, b)).toBe(distance);
  });

  it.each([
    ['51F-123.45', '51F-123.45', 1],
    ['51F-I23.45', '51F-123.45', 1 - 0.25 / 8], // a look-alike costs a quarter
    ['51F-723.45', '51F-123.45', 1 - 1 / 8],
    ['', '', 0],
    ['ABC', 'XYZ', 0],
  ])('match score %s ~ %s = %f', (a, b, score) => {
    expect(plateMatchScore(a, b)).toBeCloseTo(score, 6);
  });

  it('ranks a look-alike misread above another plate', () => {
    const query = '3OE-558.7B';
    const ranked = ['30E-553.78', '30E-558.78', '36E-558.78'].sort((a, b) => plateMatchScore(query, b) - plateMatchScore(query, a));
    expect(ranked[0]).toBe('30E-558.78');
  });

  it('compacts to upper-case letters and digits', () => {
    expect(compactPlate(' 29-b1 256.62 ')).toBe('29B125662');
  });
});
