import type { Detections } from './detections';
import { shapeError } from './shape-error';

/**
 * How a source frame is fitted into the square (or rectangular) model input: scaled by one factor to keep its
 * aspect ratio, then centred with padding. The adapter that builds the input tensor and the code that maps boxes
 * back must use the same geometry, so both take it from `letterbox`.
 */
export interface LetterboxGeometry {
  sourceWidthPixels: number;
  sourceHeightPixels: number;
  inputWidthPixels: number;
  inputHeightPixels: number;
  /** Model-input pixels per source pixel. */
  scale: number;
  /** Size of the scaled frame inside the input, in model-input pixels (whole pixels). */
  resizedWidthPixels: number;
  resizedHeightPixels: number;
  /** Padding before the scaled frame, in model-input pixels (whole pixels). */
  padLeftPixels: number;
  padTopPixels: number;
}

function checkPositive(path: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw shapeError(path, 'a positive finite number', String(value));
}

/**
 * Scale and padding that fit `sourceWidth × sourceHeight` into `inputSize` (a number for a square input, or
 * `{ width, height }`). Padding is split evenly, the odd pixel going right/bottom.
 */
export function letterbox(
  sourceWidthPixels: number,
  sourceHeightPixels: number,
  inputSize: number | { width: number; height: number },
): LetterboxGeometry {
  const inputWidthPixels = typeof inputSize === 'number' ? inputSize : inputSize.width;
  const inputHeightPixels = typeof inputSize === 'number' ? inputSize : inputSize.height;
  checkPositive('sourceWidthPixels', sourceWidthPixels);
  checkPositive('sourceHeightPixels', sourceHeightPixels);
  checkPositive('inputSize.width', inputWidthPixels);
  checkPositive('inputSize.height', inputHeightPixels);
  const scale = Math.min(inputWidthPixels / sourceWidthPixels, inputHeightPixels / sourceHeightPixels);
  const resizedWidthPixels = Math.min(inputWidthPixels, Math.round(sourceWidthPixels * scale));
  const resizedHeightPixels = Math.min(inputHeightPixels, Math.round(sourceHeightPixels * scale));
  return {
    sourceWidthPixels,
    sourceHeightPixels,
    inputWidthPixels,
    inputHeightPixels,
    scale,
    resizedWidthPixels,
    resizedHeightPixels,
    padLeftPixels: Math.floor((inputWidthPixels - resizedWidthPixels) / 2),
    padTopPixels: Math.floor((inputHeightPixels - resizedHeightPixels) / 2),
  };
}

/** Source-frame boxes to model-input boxes (for drawing, tests and training data). */
export function letterboxBoxes(xyxy: Float32Array, geometry: LetterboxGeometry, out: Float32Array = new Float32Array(xyxy.length)): Float32Array {
  const scaleX = geometry.resizedWidthPixels / geometry.sourceWidthPixels;
  const scaleY = geometry.resizedHeightPixels / geometry.sourceHeightPixels;
  for (let index = 0; index < xyxy.length; index += 2) {
    out[index] = (xyxy[index] as number) * scaleX + geometry.padLeftPixels;
    out[index + 1] = (xyxy[index + 1] as number) * scaleY + geometry.padTopPixels;
  }
  return out;
}

/**
 * Model-input boxes (n×4 xyxy) back to source-frame pixels, clipped to the frame. The per-axis scale is the
 * one the resize really used (whole resized pixels), so a round trip is exact to float precision.
 * Pass `out === xyxy` to map in place.
 */
export function unletterboxBoxes(xyxy: Float32Array, geometry: LetterboxGeometry, out: Float32Array = new Float32Array(xyxy.length)): Float32Array {
  if (xyxy.length % 4 !== 0) throw shapeError('xyxy', 'a multiple of 4 numbers (n×4)', `length ${xyxy.length}`);
  if (out.length < xyxy.length) throw shapeError('out', `length >= ${xyxy.length}`, `length ${out.length}`);
  const inverseX = geometry.sourceWidthPixels / geometry.resizedWidthPixels;
  const inverseY = geometry.sourceHeightPixels / geometry.resizedHeightPixels;
  const maxX = geometry.sourceWidthPixels;
  const maxY = geometry.sourceHeightPixels;
  for (let index = 0; index < xyxy.length; index += 2) {
    const x = ((xyxy[index] as number) - geometry.padLeftPixels) * inverseX;
    const y = ((xyxy[index + 1] as number) - geometry.padTopPixels) * inverseY;
    out[index] = x < 0 ? 0 : x > maxX ? maxX : x;
    out[index + 1] = y < 0 ? 0 : y > maxY ? maxY : y;
  }
  return out;
}

/** `unletterboxBoxes` on a container: the same detections in source-frame pixels. */
export function unletterboxDetections(detections: Detections, geometry: LetterboxGeometry): Detections {
  return detections.withBoxes(unletterboxBoxes(detections.xyxy, geometry));
}
