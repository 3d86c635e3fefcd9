import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { H264ClipEncoder } from './h264-clip-encoder';

const run = promisify(execFile);

describe('H264ClipEncoder', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-clip-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function probe(bytes: Buffer): Promise<Record<string, unknown>> {
    const file = path.join(directory, `${Math.random().toString(36).slice(2)}.mp4`);
    writeFileSync(file, bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,pix_fmt,width,height,nb_read_frames,avg_frame_rate', '-of', 'json', file]);
    return (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams[0] ?? {};
  }

  it.each([
    // Odd sides are evened out for yuv420p.
    { widthPixels: 64, heightPixels: 48, expected: { width: 64, height: 48 } },
    { widthPixels: 65, heightPixels: 47, expected: { width: 64, height: 46 } },
  ])('encodes $widthPixels×$heightPixels RGB frames to a browser-playable H.264 MP4', async ({ widthPixels, heightPixels, expected }) => {
    const encoder = new H264ClipEncoder({ widthPixels, heightPixels, framesPerSecond: 10 });
    for (let index = 0; index < 12; index += 1) encoder.write(new Uint8Array(widthPixels * heightPixels * 3).fill(index * 20));
    const stream = await probe(await encoder.finish());
    expect(stream).toEqual({ codec_name: 'h264', pix_fmt: 'yuv420p', ...expected, nb_read_frames: '12', avg_frame_rate: '10/1' });
  });

  it('leaves frames out instead of queueing without bound when ffmpeg falls behind', async () => {
    const size = { widthPixels: 320, heightPixels: 240 };
    const encoder = new H264ClipEncoder({ ...size, framesPerSecond: 10, maxQueuedFrames: 2 });
    // Written in one go: ffmpeg cannot drain the pipe in between.
    for (let index = 0; index < 50; index += 1) encoder.write(new Uint8Array(size.widthPixels * size.heightPixels * 3).fill(index));
    expect(encoder.droppedFrames).toBeGreaterThan(0);
    expect(encoder.frames + encoder.droppedFrames).toBe(50);
    const stream = await probe(await encoder.finish());
    expect(stream.nb_read_frames).toBe(String(encoder.frames));
  });

  it('refuses a frame of the wrong size, and reports a failed encode', async () => {
    const encoder = new H264ClipEncoder({ widthPixels: 16, heightPixels: 16, framesPerSecond: 5 });
    expect(() => encoder.write(new Uint8Array(10))).toThrow(RangeError);
    // No frames at all: ffmpeg has nothing to encode and says so.
    await expect(encoder.finish()).rejects.toThrow(/H\.264 clip encoding failed \(0 frames\)/);
    const missing = new H264ClipEncoder({ widthPixels: 16, heightPixels: 16, framesPerSecond: 5, ffmpegPath: path.join(directory, 'no-ffmpeg') });
    missing.write(new Uint8Array(16 * 16 * 3));
    await expect(missing.finish()).rejects.toThrow(/H\.264 clip encoding failed/);
  });
});
