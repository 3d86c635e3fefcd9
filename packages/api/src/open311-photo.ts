import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { iocError } from '@ioc/schemas';
import { HashedFileStore } from '@ioc/store';

/**
 * Citizens' photos: the type is judged by the bytes (never the name or the declared type), the image is
 * decoded and encoded again as a new JPEG, so nothing but pixels survives — no EXIF (GPS position, camera
 * serial, time), no XMP, no comments. The EXIF orientation is applied to the pixels first so that a phone
 * photo still stands upright. PNG is decoded here with node:zlib (no dependency); interlaced PNGs are refused.
 */
export type PhotoType = 'jpeg' | 'png';

export const DEFAULT_MAX_PHOTO_BYTES = 8 * 1024 * 1024;
/** Decoding needs 4 bytes per pixel: 40 MP is 160 MiB, the most one upload may cost. */
export const DEFAULT_MAX_PHOTO_PIXELS = 40_000_000;
/** Stored photos are scaled down (box filter) to at most this many pixels on the long side. */
export const STORED_PHOTO_MAX_SIDE_PIXELS = 2560;
const JPEG_QUALITY = 85;

export function sniffPhotoType(bytes: Uint8Array): PhotoType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((value, index) => bytes[index] === value)) return 'png';
  return undefined;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  data: Uint8Array;
}

const rejected = (reason: string) => iocError('IOC_ERR_PHOTO_REJECTED', `The photo was not accepted: ${reason}`, { issues: [{ path: 'media', reason }] });

/** The EXIF orientation (1–8) of a JPEG, or 1 when it has none. Reads only the APP1 Exif segment's IFD0. */
export function jpegExifOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1] as number;
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end: no more metadata
    const length = view.getUint16(offset + 2);
    const start = offset + 4;
    if (marker === 0xe1 && length >= 16 && String.fromCharCode(...bytes.subarray(start, start + 4)) === 'Exif') {
      const tiff = start + 6;
      const little = bytes[tiff] === 0x49;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > bytes.length) return 1;
      const entries = view.getUint16(ifd, little);
      for (let index = 0; index < entries; index += 1) {
        const entry = ifd + 2 + index * 12;
        if (entry + 12 > bytes.length) return 1;
        if (view.getUint16(entry, little) === 0x0112) {
          const value = view.getUint16(entry + 8, little);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    offset = start + length - 2;
  }
  return 1;
}

/** Applies an EXIF orientation to the pixels (2–8 mirror and/or rotate; 1 returns the image itself). */
export function orientImage(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width, height, data } = image;
  const swap = orientation >= 5;
  const outWidth = swap ? height : width;
  const outHeight = swap ? width : height;
  const out = new Uint8Array(outWidth * outHeight * 4);
  for (let y = 0; y < outHeight; y += 1) {
    for (let x = 0; x < outWidth; x += 1) {
      let sourceX: number;
      let sourceY: number;
      switch (orientation) {
        case 2: sourceX = width - 1 - x; sourceY = y; break;
        case 3: sourceX = width - 1 - x; sourceY = height - 1 - y; break;
        case 4: sourceX = x; sourceY = height - 1 - y; break;
        case 5: sourceX = y; sourceY = x; break;
        case 6: sourceX = y; sourceY = height - 1 - x; break;
        case 7: sourceX = width - 1 - y; sourceY = height - 1 - x; break;
        default: sourceX = width - 1 - y; sourceY = x; break; // 8
      }
      const from = (sourceY * width + sourceX) * 4;
      const to = (y * outWidth + x) * 4;
      out[to] = data[from] as number;
      out[to + 1] = data[from + 1] as number;
      out[to + 2] = data[from + 2] as number;
      out[to + 3] = data[from + 3] as number;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Scales down by a whole factor (box average) until the long side fits; smaller images are returned as they are. */
export function fitImage(image: RgbaImage, maxSidePixels: number): RgbaImage {
  const factor = Math.ceil(Math.max(image.width, image.height) / maxSidePixels);
  if (factor <= 1) return image;
  const width = Math.max(1, Math.floor(image.width / factor));
  const height = Math.max(1, Math.floor(image.height / factor));
  const out = new Uint8Array(width * height * 4);
  const area = factor * factor;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let dy = 0; dy < factor; dy += 1) {
        let from = ((y * factor + dy) * image.width + x * factor) * 4;
        for (let dx = 0; dx < factor; dx += 1, from += 4) {
          red += image.data[from] as number;
          green += image.data[from + 1] as number;
          blue += image.data[from + 2] as number;
        }
      }
      const to = (y * width + x) * 4;
      out[to] = Math.round(red / area);
      out[to + 1] = Math.round(green / area);
      out[to + 2] = Math.round(blue / area);
      out[to + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Decodes a non-interlaced PNG (any colour type, bit depths 1–16) to RGBA, transparency composited on white. */
export function decodePng(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PHOTO_PIXELS): RgbaImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  let paletteAlpha: Uint8Array | undefined;
  const chunks: Uint8Array[] = [];
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw rejected('the PNG is truncated');
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      bitDepth = body[8] as number;
      colorType = body[9] as number;
      if (body[12] !== 0) throw rejected('interlaced PNGs are not accepted; send a JPEG or a non-interlaced PNG');
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') paletteAlpha = body;
    else if (type === 'IDAT') chunks.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels || width === 0 || height === 0 || ![1, 2, 4, 8, 16].includes(bitDepth)) throw rejected('the PNG header is not valid');
  if (width * height > maxPixels) throw rejected(`the image has ${width}×${height} pixels; at most ${maxPixels} are accepted`);
  if (colorType === 3 && !palette) throw rejected('the PNG has no palette');
  const bitsPerPixel = channels * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const filterStep = Math.max(1, bitsPerPixel >> 3);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(chunks), { maxOutputLength: height * (stride + 1) });
  } catch (err) {
    throw rejected(`the PNG data cannot be decompressed (${(err as Error).message})`);
  }
  if (raw.length < height * (stride + 1)) throw rejected('the PNG data is truncated');
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x += 1) {
      const left = x >= filterStep ? (pixels[row + x - filterStep] as number) : 0;
      const up = y > 0 ? (pixels[row - stride + x] as number) : 0;
      const upLeft = y > 0 && x >= filterStep ? (pixels[row - stride + x - filterStep] as number) : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const estimate = left + up - upLeft;
        const toLeft = Math.abs(estimate - left);
        const toUp = Math.abs(estimate - up);
        const toUpLeft = Math.abs(estimate - upLeft);
        predictor = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
      } else if (filter !== 0) throw rejected(`the PNG uses an unknown row filter ${filter}`);
      pixels[row + x] = ((line[x] as number) + predictor) & 0xff;
    }
  }
  const sample = (row: number, index: number): number => {
    // The index-th sample of the row, scaled to 0..255.
    if (bitDepth === 8) return pixels[row + index] as number;
    if (bitDepth === 16) return pixels[row + index * 2] as number;
    const bitOffset = index * bitDepth;
    const byte = pixels[row + (bitOffset >> 3)] as number;
    const value = (byte >> (8 - bitDepth - (bitOffset & 7))) & ((1 << bitDepth) - 1);
    return colorType === 3 ? value : Math.round((value * 255) / ((1 << bitDepth) - 1));
  };
  const rawIndex = (row: number, index: number): number => {
    if (bitDepth === 8) return pixels[row + index] as number;
    const bitOffset = index * bitDepth;
    return ((pixels[row + (bitOffset >> 3)] as number) >> (8 - bitDepth - (bitOffset & 7))) & ((1 << bitDepth) - 1);
  };
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    const row = y * stride;
    for (let x = 0; x < width; x += 1) {
      let red: number;
      let green: number;
      let blue: number;
      let alpha = 255;
      if (colorType === 3) {
        const entry = rawIndex(row, x);
        red = palette?.[entry * 3] ?? 0;
        green = palette?.[entry * 3 + 1] ?? 0;
        blue = palette?.[entry * 3 + 2] ?? 0;
        alpha = paletteAlpha?.[entry] ?? 255;
      } else if (colorType === 0 || colorType === 4) {
        red = green = blue = sample(row, x * channels);
        if (colorType === 4) alpha = sample(row, x * channels + 1);
      } else {
        red = sample(row, x * channels);
        green = sample(row, x * channels + 1);
        blue = sample(row, x * channels + 2);
        if (colorType === 6) alpha = sample(row, x * channels + 3);
      }
      const to = (y * width + x) * 4;
      // Composite on white: a transparent background must not turn black in the JPEG.
      out[to] = Math.round((red * alpha + 255 * (255 - alpha)) / 255);
      out[to + 1] = Math.round((green * alpha + 255 * (255 - alpha)) / 255);
      out[to + 2] = Math.round((blue * alpha + 255 * (255 - alpha)) / 255);
      out[to + 3] = 255;
    }
  }
  return { width, height, data: out };
}

export interface CleanPhoto {
  /** A fresh baseline JPEG: pixels only. */
  jpeg: Buffer;
  sha256: string;
  width: number;
  height: number;
  sourceType: PhotoType;
}

/** Checks, decodes and re-encodes an upload. Throws IOC_ERR_PHOTO_REJECTED / IOC_ERR_PAYLOAD_TOO_LARGE. */
export function cleanPhoto(bytes: Uint8Array, options: { maxBytes?: number; maxPixels?: number } = {}): CleanPhoto {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PHOTO_PIXELS;
  if (bytes.length > maxBytes) throw iocError('IOC_ERR_PAYLOAD_TOO_LARGE', `The photo is larger than ${maxBytes} bytes.`, { issues: [{ path: 'media', reason: `at most ${maxBytes} bytes` }] });
  const sourceType = sniffPhotoType(bytes);
  if (!sourceType) throw rejected('only JPEG and PNG photos are accepted (judged by the file content)');
  let image: RgbaImage;
  if (sourceType === 'png') {
    image = decodePng(bytes, maxPixels);
  } else {
    try {
      image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1_000_000, maxMemoryUsageInMB: Math.ceil((maxPixels * 4 * 2) / 1_048_576) });
    } catch (err) {
      throw rejected(`the JPEG cannot be decoded (${(err as Error).message})`);
    }
    image = orientImage(image, jpegExifOrientation(bytes));
  }
  image = fitImage(image, STORED_PHOTO_MAX_SIDE_PIXELS);
  const encoded = jpeg.encode({ width: image.width, height: image.height, data: image.data }, JPEG_QUALITY).data;
  const jpegBytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  return { jpeg: jpegBytes, sha256: createHash('sha256').update(jpegBytes).digest('hex'), width: image.width, height: image.height, sourceType };
}

/** Photos under `<dataDir>/open311-media/ab/<sha256>.jpg`: written once, never overwritten (the store's `HashedFileStore`). */
export class PhotoStore {
  readonly directory: string;
  readonly #files: HashedFileStore;

  constructor(directory: string) {
    this.directory = directory;
    this.#files = new HashedFileStore(directory);
  }

  pathOf(sha256: string): string {
    return this.#files.pathOf(sha256, 'jpg');
  }

  has(sha256: string): boolean {
    return this.#files.has(sha256, 'jpg');
  }

  async put(photo: CleanPhoto): Promise<string> {
    return this.#files.put(photo.jpeg, 'jpg', photo.sha256);
  }
}
