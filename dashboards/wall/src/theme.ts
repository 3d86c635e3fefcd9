/**
 * The wall's colours, in one place: wall.css reads them as CSS variables (`applyTheme`), the map and charts
 * import them, and theme.test.ts checks every text/background pair against WCAG's enhanced contrast (≥ 7:1),
 * which is what text needs to read from 3–5 m on a wall whose screens are never perfectly calibrated.
 */
export const THEME = {
  bg: '#050a15',
  panel: '#0c1526',
  panelRaised: '#111d33',
  header: '#0e1d38',
  edge: '#25365a',
  text: '#eef4ff',
  muted: '#a9b8d2',
  accent: '#7cb5fb',
  accentText: '#04101f',
  live: '#4ade80',
  warn: '#fcd34d',
  bad: '#fca5a5',
  badSolid: '#ef4444',
  stale: '#fdba74',
} as const;

export type ThemeColor = keyof typeof THEME;

/** Pairs of (text colour, background) that the wall puts on screen; each must reach 7:1. */
export const TEXT_PAIRS: ReadonlyArray<readonly [ThemeColor, ThemeColor]> = [
  ['text', 'bg'],
  ['text', 'panel'],
  ['text', 'panelRaised'],
  ['text', 'header'],
  ['muted', 'panel'],
  ['muted', 'panelRaised'],
  ['muted', 'header'],
  ['muted', 'bg'],
  ['accent', 'panel'],
  ['accentText', 'accent'],
  ['live', 'panel'],
  ['warn', 'panel'],
  ['bad', 'panel'],
  ['stale', 'panel'],
  ['warn', 'header'],
  ['bad', 'header'],
  ['live', 'header'],
];

function channel(value: number): number {
  const srgb = value / 255;
  return srgb <= 0.04045 ? srgb / 12.92 : ((srgb + 0.055) / 1.055) ** 2.4;
}

export function parseHex(color: string): [number, number, number] {
  const match = /^#([0-9a-f]{6})$/i.exec(color);
  if (!match) throw new Error(`expected #rrggbb, got ${color}`);
  const value = Number.parseInt(match[1] as string, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** WCAG 2.x relative luminance of an sRGB colour. */
export function relativeLuminance(color: string | readonly [number, number, number]): number {
  const [red, green, blue] = typeof color === 'string' ? parseHex(color) : color;
  return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue);
}

/** WCAG contrast ratio, 1 … 21. */
export function contrastRatio(foreground: string | readonly [number, number, number], background: string | readonly [number, number, number]): number {
  const a = relativeLuminance(foreground);
  const b = relativeLuminance(background);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** `--bg`, `--panel`, … on the root element, so the stylesheet uses exactly the tested colours. */
export function themeVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(THEME)) variables[`--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`] = value;
  return variables;
}
