import type { Point } from '../detections';
import type { RgbFrame } from '../rules/signal-lamps';
import { shapeError } from '../shape-error';

/** Four corners, clockwise from top-left, in source pixels (pixel centres at +0.5). */
export type Quad = readonly [Point, Point, Point, Point];

export function checkRgbFrame(image: RgbFrame, name = 'image'): void {
  if (!(image.widthPixels > 0 && image.heightPixels > 0) || image.rgb.length !== image.widthPixels * image.heightPixels * 3) {
    throw shapeError(name, `${image.widthPixels}×${image.heightPixels}×3 = ${image.widthPixels * image.heightPixels * 3} bytes of RGB24`, `${image.rgb.length} bytes`);
  }
}

/** The axis-aligned quad of a box [x1, y1, x2, y2] (edges, not centres). */
export function boxQuad(x1: number, y1: number, x2: number, y2: number): Quad {
  return [
    { x: x1, y: y1 },
    { x: x2, y: y1 },
    { x: x2, y: y2 },
    { x: x1, y: y2 },
  ];
}

/**
 * Samples a quadrilateral of the source into an upright `widthPixels`×`heightPixels` RGB image, bilinearly,
 * mapping the quad's corners to the output's corners (bilinear corner interpolation: a plate seen at an angle
 * is a near-parallelogram, for which this equals the perspective warp within a fraction of a pixel, without
 * solving a homography per crop). Outside the source the nearest edge pixel is repeated.
 */
export function warpQuad(source: RgbFrame, quad: Quad, widthPixels: number, heightPixels: number): RgbFrame {
  checkRgbFrame(source, 'source');
  const width = Math.max(1, Math.round(widthPixels));
  const height = Math.max(1, Math.round(heightPixels));
  const out = new Uint8Array(width * height * 3);
  const [topLeft, topRight, bottomRight, bottomLeft] = quad;
  const { rgb, widthPixels: sourceWidth, heightPixels: sourceHeight } = source;
  const maxX = sourceWidth - 1;
  const maxY = sourceHeight - 1;
  for (let row = 0; row < height; row += 1) {
    const v = (row + 0.5) / height;
    const leftX = topLeft.x + (bottomLeft.x - topLeft.x) * v;
    const leftY = topLeft.y + (bottomLeft.y - topLeft.y) * v;
    const rightX = topRight.x + (bottomRight.x - topRight.x) * v;
    const rightY = topRight.y + (bottomRight.y - topRight.y) * v;
    for (let column = 0; column < width; column += 1) {
      const u = (column + 0.5) / width;
      // Edge coordinates → pixel-centre coordinates.
      const sourceX = Math.min(maxX, Math.max(0, leftX + (rightX - leftX) * u - 0.5));
      const sourceY = Math.min(maxY, Math.max(0, leftY + (rightY - leftY) * u - 0.5));
      const x0 = Math.floor(sourceX);
      const y0 = Math.floor(sourceY);
      const x1 = Math.min(maxX, x0 + 1);
      const y1 = Math.min(maxY, y0 + 1);
      const wx = sourceX - x0;
      const wy = sourceY - y0;
      const a = (y0 * sourceWidth + x0) * 3;
      const b = (y0 * sourceWidth + x1) * 3;
      const c = (y1 * sourceWidth + x0) * 3;
      const d = (y1 * sourceWidth + x1) * 3;
      const o = (row * width + column) * 3;
      for (let channel = 0; channel < 3; channel += 1) {
        const top = (rgb[a + channel] as number) * (1 - wx) + (rgb[b + channel] as number) * wx;
        const bottom = (rgb[c + channel] as number) * (1 - wx) + (rgb[d + channel] as number) * wx;
        out[o + channel] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return { rgb: out, widthPixels: width, heightPixels: height };
}

/**
 * A 1×3×H×W float tensor from an RGB image, value = (pixel/255 − mean) / std per tensor channel. PaddleOCR
 * models were trained on OpenCV's BGR images, so the tensor's first plane is blue.
 */
export function paddleTensor(image: RgbFrame, mean: readonly [number, number, number], std: readonly [number, number, number], out?: Float32Array): Float32Array {
  checkRgbFrame(image);
  const plane = image.widthPixels * image.heightPixels;
  const tensor = out ?? new Float32Array(3 * plane);
  if (tensor.length !== 3 * plane) throw shapeError('out', `length ${3 * plane}`, `length ${tensor.length}`);
  const { rgb } = image;
  for (let channel = 0; channel < 3; channel += 1) {
    const sourceChannel = 2 - channel; // BGR planes from RGB bytes
    const scale = 1 / (255 * (std[channel] as number));
    const offset = -(mean[channel] as number) / (std[channel] as number);
    const base = channel * plane;
    for (let index = 0; index < plane; index += 1) tensor[base + index] = (rgb[index * 3 + sourceChannel] as number) * scale + offset;
  }
  return tensor;
}
