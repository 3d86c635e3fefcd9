import { shapeError } from '../shape-error';
import type { SignalState } from './rule-types';

export type LampColour = 'red' | 'amber' | 'green';

export const LAMP_COLOURS: readonly LampColour[] = ['red', 'amber', 'green'];

/** An RGB24 frame: row-major, 3 bytes per pixel (what `FfmpegFrameSource` delivers). */
export interface RgbFrame {
  rgb: Uint8Array;
  widthPixels: number;
  heightPixels: number;
}

/** A lamp's rectangle in pixels, half-open: x1 ≤ x < x2, y1 ≤ y < y2 (clipped to the frame). */
export interface LampRectangle {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Hue range in degrees, going clockwise from `fromDegrees` to `toDegrees` (may wrap through 0). */
export interface HueRange {
  fromDegrees: number;
  toDegrees: number;
}

export interface LampScoreOptions {
  /** Hues that count as this lamp's colour. LED greens are often cyan; red halos go pink and magenta. */
  hueRanges?: Partial<Record<LampColour, HueRange>>;
  /** Coloured pixels need at least this saturation ((max − min) / max)… */
  minimumSaturation?: number;
  /** …and this brightness (max channel, 0..255): an unlit lamp in sunlight is coloured but dark. */
  minimumValue?: number;
  /**
   * An overexposed pixel (two channels at least `glareSecondChannel`, the brightest at least `glareMaximum`)
   * has no reliable hue: a lit lamp's centre reads white or yellow whatever its colour. It counts as lit only
   * when the region also has `minimumHaloShare` of coloured pixels, so a white car behind the head does not.
   */
  glareMaximum?: number;
  glareSecondChannel?: number;
  minimumHaloShare?: number;
}

export const LAMP_SCORE_DEFAULTS = {
  hueRanges: {
    red: { fromDegrees: 290, toDegrees: 20 },
    amber: { fromDegrees: 15, toDegrees: 65 },
    green: { fromDegrees: 75, toDegrees: 200 },
  } as Readonly<Record<LampColour, HueRange>>,
  minimumSaturation: 0.3,
  minimumValue: 100,
  glareMaximum: 235,
  glareSecondChannel: 180,
  minimumHaloShare: 0.04,
} as const;

export interface ClassifyLampsOptions extends LampScoreOptions {
  /** The best lamp's score must reach this share of its region… */
  minimumLitScore?: number;
  /** …and be this many times the next best lamp's, else the reading is `unknown`. */
  dominanceRatio?: number;
}

export const CLASSIFY_LAMPS_DEFAULTS = { minimumLitScore: 0.1, dominanceRatio: 2 } as const;

export interface LampReading {
  state: SignalState;
  /** Lit score per configured lamp (0..~1: share of the region that is lamp-coloured or glare around it). */
  scores: Partial<Record<LampColour, number>>;
}

function hueDegrees(red: number, green: number, blue: number, maximum: number, minimum: number): number {
  const chroma = maximum - minimum;
  if (chroma === 0) return 0;
  let hue: number;
  if (maximum === red) hue = ((green - blue) / chroma) % 6;
  else if (maximum === green) hue = (blue - red) / chroma + 2;
  else hue = (red - green) / chroma + 4;
  hue *= 60;
  return hue < 0 ? hue + 360 : hue;
}

function inHueRange(hue: number, range: HueRange): boolean {
  return range.fromDegrees <= range.toDegrees ? hue >= range.fromDegrees && hue <= range.toDegrees : hue >= range.fromDegrees || hue <= range.toDegrees;
}

function checkFrame(frame: RgbFrame): void {
  const expected = frame.widthPixels * frame.heightPixels * 3;
  if (frame.rgb.length !== expected) throw shapeError('frame.rgb', `${expected} bytes (${frame.widthPixels}×${frame.heightPixels}×3, RGB24)`, `${frame.rgb.length} bytes`);
}

/**
 * How lit one lamp looks: the share of its rectangle that is bright and of the lamp's hue, plus the share of
 * overexposed pixels when there is a coloured halo around them. Pure; reads the RGB24 bytes in place.
 */
export function lampLitScore(frame: RgbFrame, rectangle: LampRectangle, colour: LampColour, options: LampScoreOptions = {}): number {
  checkFrame(frame);
  const hueRange = options.hueRanges?.[colour] ?? LAMP_SCORE_DEFAULTS.hueRanges[colour];
  const minimumSaturation = options.minimumSaturation ?? LAMP_SCORE_DEFAULTS.minimumSaturation;
  const minimumValue = options.minimumValue ?? LAMP_SCORE_DEFAULTS.minimumValue;
  const glareMaximum = options.glareMaximum ?? LAMP_SCORE_DEFAULTS.glareMaximum;
  const glareSecondChannel = options.glareSecondChannel ?? LAMP_SCORE_DEFAULTS.glareSecondChannel;
  const minimumHaloShare = options.minimumHaloShare ?? LAMP_SCORE_DEFAULTS.minimumHaloShare;
  const x1 = Math.max(0, Math.floor(rectangle.x1));
  const y1 = Math.max(0, Math.floor(rectangle.y1));
  const x2 = Math.min(frame.widthPixels, Math.ceil(rectangle.x2));
  const y2 = Math.min(frame.heightPixels, Math.ceil(rectangle.y2));
  if (x2 <= x1 || y2 <= y1) return 0;
  const { rgb, widthPixels } = frame;
  let coloured = 0;
  let glare = 0;
  for (let y = y1; y < y2; y += 1) {
    let offset = (y * widthPixels + x1) * 3;
    for (let x = x1; x < x2; x += 1, offset += 3) {
      const red = rgb[offset] as number;
      const green = rgb[offset + 1] as number;
      const blue = rgb[offset + 2] as number;
      const maximum = Math.max(red, green, blue);
      const minimum = Math.min(red, green, blue);
      const second = red + green + blue - maximum - minimum;
      if (maximum >= glareMaximum && second >= glareSecondChannel) {
        glare += 1;
      } else if (maximum >= minimumValue && maximum - minimum >= minimumSaturation * maximum && inHueRange(hueDegrees(red, green, blue, maximum, minimum), hueRange)) {
        coloured += 1;
      }
    }
  }
  const pixels = (x2 - x1) * (y2 - y1);
  const colouredShare = coloured / pixels;
  return colouredShare >= minimumHaloShare ? colouredShare + glare / pixels : colouredShare;
}

/**
 * Reads one signal group from the image: a lit score per configured lamp, and the lit lamp's colour when it is
 * clearly above the others (`minimumLitScore`, `dominanceRatio`), else `unknown` (all dark: LED flicker,
 * occlusion; or two lit: a reflection). A group may configure one lamp only (a green arrow).
 */
export function classifySignalLamps(frame: RgbFrame, lamps: Partial<Record<LampColour, LampRectangle>>, options: ClassifyLampsOptions = {}): LampReading {
  const minimumLitScore = options.minimumLitScore ?? CLASSIFY_LAMPS_DEFAULTS.minimumLitScore;
  const dominanceRatio = options.dominanceRatio ?? CLASSIFY_LAMPS_DEFAULTS.dominanceRatio;
  const scores: Partial<Record<LampColour, number>> = {};
  let best: LampColour | undefined;
  let bestScore = -1;
  let secondScore = 0;
  for (const colour of LAMP_COLOURS) {
    const rectangle = lamps[colour];
    if (rectangle === undefined) continue;
    const score = lampLitScore(frame, rectangle, colour, options);
    scores[colour] = score;
    if (score > bestScore) {
      secondScore = Math.max(secondScore, bestScore);
      best = colour;
      bestScore = score;
    } else {
      secondScore = Math.max(secondScore, score);
    }
  }
  if (best === undefined) throw shapeError('lamps', 'at least one of red, amber, green', 'none');
  const lit = bestScore >= minimumLitScore && bestScore >= dominanceRatio * secondScore;
  return { state: lit ? best : 'unknown', scores };
}
