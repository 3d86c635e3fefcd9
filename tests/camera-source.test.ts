import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { isIocError } from '@ioc/schemas';
import { FfmpegFrameSource, probeVideo } from '@ioc/ingest';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * The camera source against real footage and the real ffmpeg (Debian's package): frame counts at the analysis
 * rate, downscaling, and clear errors for files a city really has lying around (truncated, not a video).
 */
const execFileAsync = promisify(execFile);
const logger = pino({ level: 'silent' });
const videoDirectory = path.join(SHARED_DATA_DIRECTORY, 'video');
const scratch = mkdtempSync(path.join(tmpdir(), 'ioc-camera-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function collect(source: FfmpegFrameSource): Promise<Array<{ index: number; timestampMs: number; bytes: number }>> {
  const frames: Array<{ index: number; timestampMs: number; bytes: number }> = [];
  for await (const frame of source.frames()) frames.push({ index: frame.index, timestampMs: frame.timestampMs, bytes: frame.rgb.length });
  return frames;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isIocError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an error');
}

describe.skipIf(sharedDataMissingReason !== undefined)(`camera source on real footage ${sharedDataMissingReason ?? ''}`, () => {
  const hanoi = path.join(videoDirectory, 'vn-hanoi-pole-intersection.mp4');

  it('probes size, rate and frame count', async () => {
    const info = await probeVideo(hanoi);
    expect(info).toMatchObject({ widthPixels: 1006, heightPixels: 720, frameCount: 142 });
    expect(info.durationSeconds).toBeCloseTo(7.07, 1);
  });

  it.each([
    { fps: undefined, frames: 142 },
    { fps: 5, frames: 36 },
    { fps: 10, frames: 71 },
  ])('delivers every frame or the analysis rate ($fps fps)', async ({ fps, frames }) => {
    const source = new FfmpegFrameSource({ url: hanoi, analysisFps: fps, logger });
    const delivered = await collect(source);
    expect(Math.abs(delivered.length - frames)).toBeLessThanOrEqual(1);
    expect(new Set(delivered.map((frame) => frame.bytes))).toEqual(new Set([1006 * 720 * 3]));
    expect(delivered.map((frame) => frame.index)).toEqual(delivered.map((_, index) => index));
    if (fps) expect(delivered[10]?.timestampMs).toBeCloseTo((10 * 1000) / fps, 6);
  });

  it('hands over each frame with exactly the pixels ffmpeg decodes, though frames straddle the pipe chunks', async () => {
    // 1006×720×3 = 2,172,960 bytes a frame: 33.2 pipe chunks of 64 KiB, so every frame after the first starts
    // inside a chunk. The reference is the same ffmpeg command read in one piece.
    const source = new FfmpegFrameSource({ url: hanoi, analysisFps: 2, logger });
    await source.open();
    const { stdout } = await execFileAsync('ffmpeg', source.ffmpegArguments(), { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
    const frameBytes = 1006 * 720 * 3;
    let frames = 0;
    for await (const frame of source.frames()) {
      const expected = stdout.subarray(frame.index * frameBytes, (frame.index + 1) * frameBytes);
      expect(Buffer.from(frame.rgb.buffer, frame.rgb.byteOffset, frame.rgb.length).equals(expected), `frame ${frame.index}`).toBe(true);
      frames += 1;
    }
    expect(frames).toBe(stdout.length / frameBytes);
    expect(frames).toBeGreaterThanOrEqual(14);
  });

  it('downscales wide frames, keeping the aspect ratio with even sides', async () => {
    const source = new FfmpegFrameSource({ url: hanoi, analysisFps: 2, maxWidthPixels: 640, logger });
    const delivered = await collect(source);
    expect(source.frameSize).toEqual({ widthPixels: 640, heightPixels: 458 });
    expect(delivered[0]?.bytes).toBe(640 * 458 * 3);
  });

  it('stops a looping source on close', async () => {
    const source = new FfmpegFrameSource({ url: path.join(videoDirectory, 'highway-topdown.avi'), analysisFps: 30, loop: true, logger });
    let count = 0;
    for await (const frame of source.frames()) {
      count += 1;
      if (frame.index >= 400) source.close();
    }
    // 374 frames in the file: more than that means it looped.
    expect(count).toBeGreaterThan(374);
  });

  it.each([
    { name: 'a missing file', make: () => path.join(scratch, 'missing.mp4'), message: /Cannot open video/ },
    { name: 'a text file', make: () => writeAndReturn('notes.mp4', 'not a video'), message: /Cannot open video|No video stream/ },
    { name: 'an MP4 cut before its index', make: () => writeAndReturn('cut.mp4', readFileSync(hanoi).subarray(0, 150_000)), message: /Cannot open video/ },
  ])('gives IOC_ERR_CAMERA_SOURCE for $name', async ({ make, message }) => {
    const source = new FfmpegFrameSource({ url: make(), logger });
    const error = await errorOf(collect(source));
    expect(error.code).toBe('IOC_ERR_CAMERA_SOURCE');
    expect(error.message).toMatch(message);
  });

  it('delivers the whole frames of a truncated AVI and stops without hanging', async () => {
    const truncated = path.join(scratch, 'truncated.avi');
    copyFileSync(path.join(videoDirectory, 'highway-topdown.avi'), truncated);
    const bytes = readFileSync(truncated);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const source = new FfmpegFrameSource({ url: truncated, logger });
    const delivered = await collect(source).catch((err: unknown) => (isIocError(err) ? [] : Promise.reject(err)));
    expect(delivered.length).toBeLessThan(374);
  });

  it('never puts camera credentials in its errors', async () => {
    const source = new FfmpegFrameSource({ url: 'rtsp://admin:S3cret@127.0.0.1:9/stream1', logger });
    const error = await errorOf(collect(source));
    expect(error.code).toBe('IOC_ERR_CAMERA_SOURCE');
    expect(error.message).not.toContain('S3cret');
    expect(error.message).toContain('rtsp://***:***@127.0.0.1:9/stream1');
  });
});

function writeAndReturn(name: string, content: string | Uint8Array): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}
