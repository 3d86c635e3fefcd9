import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { iocError } from '@ioc/schemas';

export interface ClipEncoderOptions {
  widthPixels: number;
  heightPixels: number;
  framesPerSecond: number;
  /**
   * Most frames waiting in the pipe to ffmpeg (default 16). Queued frames are references, not copies, so a
   * caller that writes a lead-in it already holds (the ring buffer) allows that many more.
   */
  maxQueuedFrames?: number;
  ffmpegPath?: string;
  /** Where the MP4 is written before it is read back (MP4 needs a seekable file for its index). */
  temporaryDirectory?: string;
}

/**
 * Raw RGB frames in, an H.264 MP4 (yuv420p, faststart: plays in a browser) out. Frames are streamed to one
 * ffmpeg child as they arrive, so a pending clip holds no frames of its own — only the pipe's buffer.
 */
export class H264ClipEncoder {
  readonly #child: ChildProcessByStdio<Writable, null, Readable>;
  readonly #outputPath: string;
  readonly #frameBytes: number;
  readonly #maxQueuedBytes: number;
  readonly #exited: Promise<{ code: number | null; stderr: string }>;
  #frames = 0;
  #droppedFrames = 0;
  #failed: Error | undefined;

  constructor(options: ClipEncoderOptions) {
    this.#frameBytes = options.widthPixels * options.heightPixels * 3;
    this.#maxQueuedBytes = (options.maxQueuedFrames ?? 16) * this.#frameBytes;
    this.#outputPath = path.join(options.temporaryDirectory ?? tmpdir(), `ioc-clip-${randomBytes(8).toString('hex')}.mp4`);
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${options.widthPixels}x${options.heightPixels}`,
      '-framerate',
      String(options.framesPerSecond),
      '-i',
      'pipe:0',
      // yuv420p needs even sides.
      '-vf',
      'scale=trunc(iw/2)*2:trunc(ih/2)*2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      this.#outputPath,
    ];
    this.#child = spawn(options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    this.#child.stdin.on('error', (err) => {
      this.#failed ??= err;
    });
    this.#exited = new Promise((resolve) => {
      this.#child.on('error', (err) => {
        this.#failed ??= err;
        resolve({ code: null, stderr: err.message });
      });
      this.#child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  get frames(): number {
    return this.#frames;
  }

  /** Frames left out because ffmpeg fell behind (see `write`). */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  write(rgb: Uint8Array): void {
    if (rgb.byteLength !== this.#frameBytes) throw new RangeError(`a clip frame has ${this.#frameBytes} bytes, got ${rgb.byteLength}`);
    if (this.#failed || this.#child.stdin.writableEnded) return;
    // Memory stays bounded when the encoder cannot keep up (a loaded host): beyond a few frames queued in the
    // pipe, frames are left out of the clip rather than piling up in this process.
    if (this.#child.stdin.writableLength >= this.#maxQueuedBytes) {
      this.#droppedFrames += 1;
      return;
    }
    this.#child.stdin.write(rgb);
    this.#frames += 1;
  }

  /** Ends the input and returns the MP4's bytes (refused without frames); the temporary file is removed either way. */
  async finish(): Promise<Buffer> {
    if (this.#frames === 0) {
      // ffmpeg would write a valid MP4 with no frames in it: no evidence, so no file.
      await this.abort();
      throw iocError('IOC_ERR_INTERNAL', 'H.264 clip encoding failed (0 frames): no frames were written');
    }
    this.#child.stdin.end();
    const { code, stderr } = await this.#exited;
    try {
      if (code !== 0 || this.#failed) throw iocError('IOC_ERR_INTERNAL', `H.264 clip encoding failed (${this.#frames} frames): ${this.#failed?.message ?? stderr.trim().split('\n').slice(-2).join(' ')}`);
      return await readFile(this.#outputPath);
    } finally {
      await unlink(this.#outputPath).catch(() => undefined);
    }
  }

  /** Stops without a clip (shutdown). */
  async abort(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
    await unlink(this.#outputPath).catch(() => undefined);
  }
}
