/**
 * Three wall layouts, chosen from the viewport: `hd` (1920×1080 and other 16:9 up to 2.5K), `uhd` (3840×2160),
 * and `span` (two 4K screens side by side, 7680×2160, or any viewport wider than 2.5:1) with the map in the
 * middle and panels on both sides. Type and strokes scale with `scale`, the viewport measured in 1080p units,
 * so a panel reads the same from 3–5 m whatever the screen's resolution.
 */
export type LayoutKind = 'hd' | 'uhd' | 'span';

export interface Layout {
  kind: LayoutKind;
  /** 1 at 1920×1080, 2 at 3840×2160 and at 7680×2160 (height-limited). */
  scale: number;
}

/** Wider than this (width/height) and the panels go to both sides of the map. */
export const SPAN_ASPECT = 2.5;

export function layoutFor(widthPixels: number, heightPixels: number): Layout {
  const width = Math.max(1, widthPixels);
  const height = Math.max(1, heightPixels);
  const scale = Math.max(0.5, Math.min(width / 1920, height / 1080));
  if (width / height >= SPAN_ASPECT) return { kind: 'span', scale };
  return { kind: width >= 3000 ? 'uhd' : 'hd', scale };
}

/** `base` pixels at 1080p, scaled for the viewport (fonts, stroke widths, radii in deck.gl and ECharts). */
export function scaled(basePixels: number, scale: number): number {
  return Math.round(basePixels * scale * 10) / 10;
}
