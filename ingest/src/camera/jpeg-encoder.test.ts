import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { JpegEncoder } from './jpeg-encoder';

describe('JpegEncoder', () => {
  it.each([
    { case: 'its own buffer (transferred)', offsetBytes: 0 },
    { case: 'a view into a larger buffer (copied)', offsetBytes: 30 },
  ])('encodes RGB on the worker thread: $case', async ({ offsetBytes }) => {
    const widthPixels = 16;
    const heightPixels = 8;
    const backing = new Uint8Array(offsetBytes + widthPixels * heightPixels * 3 + 9);
    const rgb = backing.subarray(offsetBytes, offsetBytes + widthPixels * heightPixels * 3);
    // Left half red, right half blue.
    for (let y = 0; y < heightPixels; y += 1) for (let x = 0; x < widthPixels; x += 1) rgb.set(x < 8 ? [255, 0, 0] : [0, 0, 255], (y * widthPixels + x) * 3);
    const bytes = await JpegEncoder.shared().encode({ rgb, widthPixels, heightPixels }, 95);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    const decoded = jpeg.decode(bytes, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([16, 8]);
    const pixel = (x: number, y: number) => Array.from(decoded.data.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 3));
    expect(pixel(2, 4)[0]).toBeGreaterThan(200);
    expect(pixel(13, 4)[2]).toBeGreaterThan(200);
  });

  it('refuses pixels that do not match the size', async () => {
    await expect(JpegEncoder.shared().encode({ rgb: new Uint8Array(10), widthPixels: 4, heightPixels: 4 }, 80)).rejects.toThrow(/has 48 bytes, got 10/);
  });
});
