import type { LetterboxGeometry } from './letterbox';
import { shapeError } from './shape-error';

/** How a model wants its input tensor filled (from the model manifest). */
export interface InputNormalisation {
  /** Channel order of the tensor's three planes. */
  channelOrder: 'rgb' | 'bgr';
  /** Per tensor channel, in tensor channel order: value = (pixel − mean) / std. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Value of padded pixels before normalisation (114 is what YOLO exports were trained with). */
  padValue: number;
}

/** NanoDet (the shipped COCO model): BGR, ImageNet statistics in 0..255. */
export const NANODET_NORMALISATION: InputNormalisation = {
  channelOrder: 'bgr',
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
  padValue: 0,
};

/** YOLOv8/YOLO11 exports: RGB scaled to 0..1, grey padding. */
export const YOLO_NORMALISATION: InputNormalisation = {
  channelOrder: 'rgb',
  mean: [0, 0, 0],
  std: [255, 255, 255],
  padValue: 114,
};

/**
 * Fills a 1×3×H×W float tensor from an RGB24 frame (what ffmpeg writes with `-pix_fmt rgb24`), resized into the
 * letterbox with bilinear sampling, normalised per channel. One pass over the output, no intermediate images:
 * this runs for every analysed frame of every camera. Pass `out` to reuse the buffer between frames.
 */
export function frameToInputTensor(
  rgb: Uint8Array,
  geometry: LetterboxGeometry,
  normalisation: InputNormalisation,
  out: Float32Array = new Float32Array(3 * geometry.inputWidthPixels * geometry.inputHeightPixels),
): Float32Array {
  const { sourceWidthPixels: sourceWidth, sourceHeightPixels: sourceHeight, inputWidthPixels: width, inputHeightPixels: height } = geometry;
  if (rgb.length !== sourceWidth * sourceHeight * 3) {
    throw shapeError('frame', `${sourceWidth}×${sourceHeight}×3 = ${sourceWidth * sourceHeight * 3} bytes of RGB24`, `${rgb.length} bytes`);
  }
  const planeSize = width * height;
  if (out.length !== 3 * planeSize) throw shapeError('out', `length ${3 * planeSize}`, `length ${out.length}`);
  // Tensor channel c reads source byte offset sourceChannel[c] of each pixel.
  const sourceChannel = normalisation.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const scale = [1 / normalisation.std[0], 1 / normalisation.std[1], 1 / normalisation.std[2]];
  const offset = [-normalisation.mean[0] * (scale[0] as number), -normalisation.mean[1] * (scale[1] as number), -normalisation.mean[2] * (scale[2] as number)];
  const padded = [0, 1, 2].map((channel) => normalisation.padValue * (scale[channel] as number) + (offset[channel] as number));
  const { padLeftPixels, padTopPixels, resizedWidthPixels, resizedHeightPixels } = geometry;
  const xRatio = sourceWidth / resizedWidthPixels;
  const yRatio = sourceHeight / resizedHeightPixels;

  // Precompute horizontal sample positions once per frame size (half-pixel centres, as OpenCV's INTER_LINEAR).
  const x0s = new Int32Array(resizedWidthPixels);
  const x1s = new Int32Array(resizedWidthPixels);
  const xWeights = new Float32Array(resizedWidthPixels);
  for (let x = 0; x < resizedWidthPixels; x += 1) {
    const sourceX = Math.min(Math.max((x + 0.5) * xRatio - 0.5, 0), sourceWidth - 1);
    const left = Math.floor(sourceX);
    x0s[x] = left * 3;
    x1s[x] = Math.min(left + 1, sourceWidth - 1) * 3;
    xWeights[x] = sourceX - left;
  }

  const [channel0Byte, channel1Byte, channel2Byte] = sourceChannel as [number, number, number];
  const [scale0, scale1, scale2] = scale as [number, number, number];
  const [offset0, offset1, offset2] = offset as [number, number, number];
  for (let y = 0; y < height; y += 1) {
    const resizedY = y - padTopPixels;
    const rowOffset = y * width;
    if (resizedY < 0 || resizedY >= resizedHeightPixels) {
      for (let channel = 0; channel < 3; channel += 1) out.fill(padded[channel] as number, channel * planeSize + rowOffset, channel * planeSize + rowOffset + width);
      continue;
    }
    const sourceY = Math.min(Math.max((resizedY + 0.5) * yRatio - 0.5, 0), sourceHeight - 1);
    const top = Math.floor(sourceY);
    const bottom = Math.min(top + 1, sourceHeight - 1);
    const yWeight = sourceY - top;
    const topRow = top * sourceWidth * 3;
    const bottomRow = bottom * sourceWidth * 3;
    for (let channel = 0; channel < 3; channel += 1) {
      const plane = channel * planeSize + rowOffset;
      out.fill(padded[channel] as number, plane, plane + padLeftPixels);
      out.fill(padded[channel] as number, plane + padLeftPixels + resizedWidthPixels, plane + width);
    }
    // All three channels of a pixel in one pass: the four source pixels are read once, not once per channel
    // (this loop is the main thread's largest cost per analysed frame; pnpm bench:vision).
    const plane0 = rowOffset + padLeftPixels;
    const plane1 = plane0 + planeSize;
    const plane2 = plane1 + planeSize;
    for (let x = 0; x < resizedWidthPixels; x += 1) {
      const topLeft = topRow + (x0s[x] as number);
      const topRight = topRow + (x1s[x] as number);
      const bottomLeft = bottomRow + (x0s[x] as number);
      const bottomRight = bottomRow + (x1s[x] as number);
      const xWeight = xWeights[x] as number;
      let left = rgb[topLeft + channel0Byte] as number;
      let topValue = left + ((rgb[topRight + channel0Byte] as number) - left) * xWeight;
      left = rgb[bottomLeft + channel0Byte] as number;
      let bottomValue = left + ((rgb[bottomRight + channel0Byte] as number) - left) * xWeight;
      out[plane0 + x] = (topValue + (bottomValue - topValue) * yWeight) * scale0 + offset0;
      left = rgb[topLeft + channel1Byte] as number;
      topValue = left + ((rgb[topRight + channel1Byte] as number) - left) * xWeight;
      left = rgb[bottomLeft + channel1Byte] as number;
      bottomValue = left + ((rgb[bottomRight + channel1Byte] as number) - left) * xWeight;
      out[plane1 + x] = (topValue + (bottomValue - topValue) * yWeight) * scale1 + offset1;
      left = rgb[topLeft + channel2Byte] as number;
      topValue = left + ((rgb[topRight + channel2Byte] as number) - left) * xWeight;
      left = rgb[bottomLeft + channel2Byte] as number;
      bottomValue = left + ((rgb[bottomRight + channel2Byte] as number) - left) * xWeight;
      out[plane2 + x] = (topValue + (bottomValue - topValue) * yWeight) * scale2 + offset2;
    }
  }
  return out;
}
