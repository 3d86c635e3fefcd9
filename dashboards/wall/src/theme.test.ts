import { describe, expect, it } from 'vitest';
import { THEME, TEXT_PAIRS, contrastRatio, themeVariables } from './theme';

describe('contrastRatio', () => {
  const cases = [
    { foreground: '#000000', background: '#ffffff', expected: 21 },
    { foreground: '#ffffff', background: '#ffffff', expected: 1 },
    { foreground: '#777777', background: '#ffffff', expected: 4.48 },
  ];
  it.each(cases)('$foreground on $background', ({ foreground, background, expected }) => {
    expect(contrastRatio(foreground, background)).toBeCloseTo(expected, 1);
  });
});

describe('theme', () => {
  it.each(TEXT_PAIRS.map(([text, background]) => ({ text, background })))('$text on $background reaches 7:1', ({ text, background }) => {
    expect(contrastRatio(THEME[text], THEME[background])).toBeGreaterThanOrEqual(7);
  });

  it('exposes every colour as a CSS variable', () => {
    expect(themeVariables()).toMatchObject({ '--bg': THEME.bg, '--panel-raised': THEME.panelRaised, '--accent-text': THEME.accentText });
  });
});
