import jpeg from 'jpeg-js';
import type { Detections, Point } from '@ioc/vision';

/** RGB colours per traffic class (colour-blind-safe Okabe–Ito palette, readable on a dark wall). */
const CLASS_COLOURS: Record<number, [number, number, number]> = {
  0: [240, 228, 66], // person: yellow
  1: [204, 121, 167], // bicycle: purple
  2: [86, 180, 233], // car: sky blue
  3: [0, 158, 115], // motorcycle: green
  5: [230, 159, 0], // bus: orange
  7: [213, 94, 0], // truck/lorry: vermilion
};
const DEFAULT_COLOUR: [number, number, number] = [255, 255, 255];
const LINE_COLOUR: [number, number, number] = [255, 64, 64];

/** 3×5 glyphs for the characters the overlay needs (track ids and counts). Each row is 3 bits, MSB left. */
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 1, 1],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '#': [5, 7, 5, 7, 5],
  ':': [0, 2, 0, 2, 0],
  ' ': [0, 0, 0, 0, 0],
  '>': [4, 2, 1, 2, 4],
  '<': [1, 2, 4, 2, 1],
};

/** An RGB24 image drawn on in place. */
export class RgbCanvas {
  constructor(
    readonly rgb: Uint8Array,
    readonly widthPixels: number,
    readonly heightPixels: number,
  ) {}

  setPixel(x: number, y: number, colour: readonly [number, number, number]): void {
    if (x < 0 || y < 0 || x >= this.widthPixels || y >= this.heightPixels) return;
    const offset = (Math.floor(y) * this.widthPixels + Math.floor(x)) * 3;
    this.rgb[offset] = colour[0];
    this.rgb[offset + 1] = colour[1];
    this.rgb[offset + 2] = colour[2];
  }

  fillRect(x1: number, y1: number, x2: number, y2: number, colour: readonly [number, number, number]): void {
    const left = Math.max(0, Math.floor(x1));
    const right = Math.min(this.widthPixels, Math.ceil(x2));
    const top = Math.max(0, Math.floor(y1));
    const bottom = Math.min(this.heightPixels, Math.ceil(y2));
    for (let y = top; y < bottom; y += 1) {
      for (let x = left; x < right; x += 1) {
        const offset = (y * this.widthPixels + x) * 3;
        this.rgb[offset] = colour[0];
        this.rgb[offset + 1] = colour[1];
        this.rgb[offset + 2] = colour[2];
      }
    }
  }

  strokeRect(x1: number, y1: number, x2: number, y2: number, colour: readonly [number, number, number], thicknessPixels: number): void {
    this.fillRect(x1, y1, x2, y1 + thicknessPixels, colour);
    this.fillRect(x1, y2 - thicknessPixels, x2, y2, colour);
    this.fillRect(x1, y1, x1 + thicknessPixels, y2, colour);
    this.fillRect(x2 - thicknessPixels, y1, x2, y2, colour);
  }

  line(from: Point, to: Point, colour: readonly [number, number, number], thicknessPixels: number): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y)));
    const half = thicknessPixels / 2;
    for (let step = 0; step <= steps; step += 1) {
      const x = from.x + ((to.x - from.x) * step) / steps;
      const y = from.y + ((to.y - from.y) * step) / steps;
      this.fillRect(x - half, y - half, x + half, y + half, colour);
    }
  }

  /** Text from the glyph set above, `scale` pixels per glyph pixel, on a dark plate for contrast. */
  text(x: number, y: number, text: string, colour: readonly [number, number, number], scale: number): void {
    const glyphs = [...text].map((character) => GLYPHS[character] ?? GLYPHS[' '] ?? []);
    this.fillRect(x - scale, y - scale, x + glyphs.length * 4 * scale, y + 6 * scale, [0, 0, 0]);
    glyphs.forEach((rows, index) => {
      rows.forEach((bits, row) => {
        for (let column = 0; column < 3; column += 1) {
          if (bits & (4 >> column)) this.fillRect(x + (index * 4 + column) * scale, y + row * scale, x + (index * 4 + column + 1) * scale, y + (row + 1) * scale, colour);
        }
      });
    });
  }
}

export interface SnapshotOverlay {
  detections: Detections;
  lines: ReadonlyArray<{ start: Point; end: Point; forward: number; backward: number }>;
}

/**
 * The frame with boxes (colour by class), track ids, counting lines and their counts, as a JPEG for the wall's
 * camera strip and `GET /api/v1/cameras/:id/snapshot.jpg`. Draws on a copy: the frame may still be in use.
 */
export function annotatedSnapshotJpeg(frame: { rgb: Uint8Array; widthPixels: number; heightPixels: number }, overlay: SnapshotOverlay, quality = 70): Buffer {
  const canvas = new RgbCanvas(Uint8Array.from(frame.rgb), frame.widthPixels, frame.heightPixels);
  const scale = Math.max(1, Math.round(frame.widthPixels / 480));
  for (const line of overlay.lines) {
    canvas.line(line.start, line.end, LINE_COLOUR, 2 * scale);
    canvas.text(Math.min(line.start.x, line.end.x) + 4 * scale, Math.min(line.start.y, line.end.y) + 4 * scale, `>${line.forward} <${line.backward}`, [255, 255, 255], 2 * scale);
  }
  const { detections } = overlay;
  for (let index = 0; index < detections.length; index += 1) {
    const x1 = detections.xyxy[index * 4] as number;
    const y1 = detections.xyxy[index * 4 + 1] as number;
    const x2 = detections.xyxy[index * 4 + 2] as number;
    const y2 = detections.xyxy[index * 4 + 3] as number;
    const colour = CLASS_COLOURS[detections.classId[index] as number] ?? DEFAULT_COLOUR;
    canvas.strokeRect(x1, y1, x2, y2, colour, scale);
    const trackId = detections.trackId?.[index] ?? -1;
    if (trackId >= 0) canvas.text(x1 + scale, Math.max(scale, y1 - 7 * scale), `#${trackId}`, colour, scale);
  }
  // jpeg-js wants RGBA.
  const rgba = Buffer.alloc(frame.widthPixels * frame.heightPixels * 4);
  for (let pixel = 0, source = 0, target = 0; pixel < frame.widthPixels * frame.heightPixels; pixel += 1, source += 3, target += 4) {
    rgba[target] = canvas.rgb[source] as number;
    rgba[target + 1] = canvas.rgb[source + 1] as number;
    rgba[target + 2] = canvas.rgb[source + 2] as number;
    rgba[target + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: frame.widthPixels, height: frame.heightPixels }, quality).data;
}
