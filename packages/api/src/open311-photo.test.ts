import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { PhotoStore, cleanPhoto, decodePng, fitImage, jpegExifOrientation, orientImage, sniffPhotoType, type RgbaImage } from './open311-photo';

/** A 2×3 image whose pixels are numbered (red = index) so that rotations can be read back. */
function numbered(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let index = 0; index < width * height; index += 1) data.set([index, 0, 0, 255], index * 4);
  return { width, height, data };
}
const reds = (image: RgbaImage) => Array.from({ length: image.width * image.height }, (_, index) => image.data[index * 4]);

/** APP1 Exif with IFD0 entries: Orientation and a GPSInfo pointer to a GPS IFD with latitude/longitude. */
function exifSegment(orientation: number): Buffer {
  const tiff = Buffer.alloc(200);
  tiff.write('MM', 0, 'ascii'); // big-endian, as many cameras write
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(2, 8);
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt16BE(0x8825, 22);
  tiff.writeUInt16BE(4, 24);
  tiff.writeUInt32BE(1, 26);
  tiff.writeUInt32BE(40, 30);
  tiff.writeUInt32BE(0, 34);
  tiff.writeUInt16BE(2, 40); // GPS IFD
  tiff.writeUInt16BE(0x0001, 42);
  tiff.writeUInt16BE(2, 44);
  tiff.writeUInt32BE(2, 46);
  tiff.write('N\0', 50, 'ascii');
  tiff.writeUInt16BE(0x0002, 54);
  tiff.writeUInt16BE(5, 56);
  tiff.writeUInt32BE(3, 58);
  tiff.writeUInt32BE(80, 62);
  [21, 1, 23, 1, 7, 1].forEach((value, index) => tiff.writeUInt32BE(value, 80 + index * 4));
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

function jpegOf(width: number, height: number, exif?: Buffer): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data.set([x < width / 2 ? 220 : 20, 40, y < height / 2 ? 200 : 30, 255], (y * width + x) * 4);
  const encoded = jpeg.encode({ width, height, data }, 90).data;
  return exif ? Buffer.concat([encoded.subarray(0, 2), exif, encoded.subarray(2)]) : encoded;
}

function pngOf(width: number, height: number, colorType: number, bitDepth: number, rowBytes: (y: number) => number[], extraChunks: Array<[string, Buffer]> = []): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, Buffer.from(type, 'ascii'), body, Buffer.alloc(4)]); // CRC not checked by the decoder
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  const raw = Buffer.concat(Array.from({ length: height }, (_, y) => Buffer.from(rowBytes(y))));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), ...extraChunks.map(([type, body]) => chunk(type, body)), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('photo type by bytes', () => {
  it.each([
    { name: 'JPEG', bytes: [0xff, 0xd8, 0xff, 0xe0], expected: 'jpeg' },
    { name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], expected: 'png' },
    { name: 'GIF', bytes: [...Buffer.from('GIF89a')], expected: undefined },
    { name: 'empty', bytes: [], expected: undefined },
  ])('$name', ({ bytes, expected }) => {
    expect(sniffPhotoType(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('EXIF orientation', () => {
  // 2 wide × 3 high, numbered row by row:  0 1 / 2 3 / 4 5
  it.each([
    { orientation: 1, size: [2, 3], expected: [0, 1, 2, 3, 4, 5] },
    { orientation: 2, size: [2, 3], expected: [1, 0, 3, 2, 5, 4] },
    { orientation: 3, size: [2, 3], expected: [5, 4, 3, 2, 1, 0] },
    { orientation: 4, size: [2, 3], expected: [4, 5, 2, 3, 0, 1] },
    { orientation: 5, size: [3, 2], expected: [0, 2, 4, 1, 3, 5] },
    { orientation: 6, size: [3, 2], expected: [4, 2, 0, 5, 3, 1] },
    { orientation: 7, size: [3, 2], expected: [5, 3, 1, 4, 2, 0] },
    { orientation: 8, size: [3, 2], expected: [1, 3, 5, 0, 2, 4] },
  ])('orientation $orientation', ({ orientation, size, expected }) => {
    const turned = orientImage(numbered(2, 3), orientation);
    expect([turned.width, turned.height]).toEqual(size);
    expect(reds(turned)).toEqual(expected);
  });

  it('reads the orientation from a big-endian EXIF block, 1 without one', () => {
    expect(jpegExifOrientation(jpegOf(8, 8, exifSegment(6)))).toBe(6);
    expect(jpegExifOrientation(jpegOf(8, 8))).toBe(1);
  });
});

describe('cleanPhoto', () => {
  it('re-encodes a JPEG without its EXIF (GPS included), upright', () => {
    const original = jpegOf(32, 16, exifSegment(6));
    expect(original.includes(Buffer.from('Exif'))).toBe(true);
    const clean = cleanPhoto(original);
    expect(clean.jpeg.includes(Buffer.from('Exif'))).toBe(false);
    expect(clean.jpeg.includes(Buffer.from('N\0'))).toBe(false);
    expect([clean.width, clean.height]).toEqual([16, 32]); // rotated as the phone meant it
    const decoded = jpeg.decode(clean.jpeg, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([16, 32]);
    expect(clean.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scales a large photo down to 2560 px on the long side', () => {
    const clean = cleanPhoto(jpegOf(2600, 20));
    expect([clean.width, clean.height]).toEqual([1300, 10]);
  });

  it.each([
    { name: 'not an image', bytes: Buffer.from('hello'), code: 'IOC_ERR_PHOTO_REJECTED' },
    { name: 'a broken JPEG', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(50, 7)]), code: 'IOC_ERR_PHOTO_REJECTED' },
    { name: 'too many bytes', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2000)]), code: 'IOC_ERR_PAYLOAD_TOO_LARGE', maxBytes: 1000 },
    { name: 'an interlaced PNG', bytes: (() => { const png = pngOf(2, 2, 2, 8, () => [0, 1, 2, 3, 4, 5, 6]); png[8 + 8 + 12] = 1; return png; })(), code: 'IOC_ERR_PHOTO_REJECTED' },
    { name: 'a PNG over the pixel limit', bytes: pngOf(3000, 3000, 0, 1, () => []), code: 'IOC_ERR_PHOTO_REJECTED', maxPixels: 1_000_000 },
  ])('refuses $name', ({ bytes, code, maxBytes, maxPixels }) => {
    expect(() => cleanPhoto(bytes, { maxBytes, maxPixels })).toThrow(expect.objectContaining({ code }));
  });
});

describe('decodePng', () => {
  it.each([
    { name: 'RGB 8-bit, Sub filter', png: pngOf(2, 1, 2, 8, () => [1, 10, 20, 30, 5, 5, 5]), expected: [10, 20, 30, 15, 25, 35] },
    { name: 'RGBA 8-bit, half transparent on white', png: pngOf(1, 1, 6, 8, () => [0, 0, 0, 0, 128]), expected: [127, 127, 127] },
    { name: 'grey 16-bit, Up filter', png: pngOf(1, 2, 0, 16, (y) => (y === 0 ? [0, 100, 0] : [2, 50, 0])), expected: [100, 100, 100, 150, 150, 150] },
    { name: 'palette 2-bit', png: pngOf(3, 1, 3, 2, () => [0, 0b00011000], [['PLTE', Buffer.from([0, 0, 0, 255, 0, 0, 0, 0, 255])]]), expected: [0, 0, 0, 255, 0, 0, 0, 0, 255] },
    { name: 'grey 1-bit', png: pngOf(3, 1, 0, 1, () => [0, 0b10100000]), expected: [255, 255, 255, 0, 0, 0, 255, 255, 255] },
    { name: 'RGB 8-bit, Paeth filter', png: pngOf(1, 2, 2, 8, (y) => (y === 0 ? [0, 9, 9, 9] : [4, 1, 1, 1])), expected: [9, 9, 9, 10, 10, 10] },
  ])('$name', ({ png, expected }) => {
    const image = decodePng(png);
    const rgb = Array.from({ length: image.width * image.height }, (_, index) => [...image.data.subarray(index * 4, index * 4 + 3)]).flat();
    expect(rgb).toEqual(expected);
  });

  it('a PNG becomes a clean JPEG', () => {
    const clean = cleanPhoto(pngOf(4, 4, 2, 8, () => [0, ...Array.from({ length: 12 }, () => 200)]));
    expect([clean.width, clean.height, clean.sourceType]).toEqual([4, 4, 'png']);
  });
});

describe('fitImage', () => {
  it('averages blocks by a whole factor', () => {
    const image = { width: 4, height: 2, data: Uint8Array.from([0, 0, 0, 255, 100, 100, 100, 255, 8, 8, 8, 255, 8, 8, 8, 255, 0, 0, 0, 255, 100, 100, 100, 255, 8, 8, 8, 255, 8, 8, 8, 255]) };
    const fitted = fitImage(image, 2);
    expect([fitted.width, fitted.height]).toEqual([2, 1]);
    expect(Array.from(fitted.data)).toEqual([50, 50, 50, 255, 8, 8, 8, 255]);
  });
});

describe('PhotoStore', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-photos-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes once by sha256 and never overwrites', async () => {
    const store = new PhotoStore(directory);
    const photo = cleanPhoto(jpegOf(8, 8));
    expect(await store.put(photo)).toBe(photo.sha256);
    const file = store.pathOf(photo.sha256);
    const before = statSync(file).mtimeMs;
    await store.put({ ...photo, jpeg: Buffer.from('something else') });
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readdirSync(path.dirname(file))).toEqual([`${photo.sha256}.jpg`]);
  });
});
