import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { iocError, scrubUrlCredentials } from '@ioc/schemas';

/** One decoded frame: RGB24, row-major, `widthPixels × heightPixels × 3` bytes. */
export interface Frame {
  /** 0-based index among the frames this source delivered. */
  index: number;
  /** Stream time of the frame (files: position in the video; live streams: wall-clock time of arrival). */
  timestampMs: number;
  widthPixels: number;
  heightPixels: number;
  rgb: Uint8Array;
}

export interface VideoInfo {
  widthPixels: number;
  heightPixels: number;
  /** Average frame rate the container reports, when it does. */
  framesPerSecond: number | undefined;
  /** Frames in the file, when the container says. */
  frameCount: number | undefined;
  durationSeconds: number | undefined;
  /** ffprobe's codec name (`h264`, `mjpeg` …), when it says. */
  codecName?: string | undefined;
}

export interface FfmpegSourceOptions {
  /** A file path, `rtsp://…`, or `http(s)://…` (MJPEG or anything ffmpeg opens). */
  url: string;
  /** Frames per second to deliver; ffmpeg drops or repeats frames by timestamp. `undefined`: every decoded frame. */
  analysisFps?: number | undefined;
  /** Files only: start again at the end (demo cameras). */
  loop?: boolean;
  /** Files only: deliver at the video's own pace instead of as fast as possible. */
  realtime?: boolean;
  /** Downscale wider frames to this width (keeps aspect ratio); saves decode and copy time on 4K cameras. */
  maxWidthPixels?: number | undefined;
  logger: Logger;
  ffmpegPath?: string;
  ffprobePath?: string;
}

function isLiveUrl(url: string): boolean {
  return /^(rtsp|rtsps|rtmp|https?|udp|tcp|srt):\/\//i.test(url);
}

/** Reads a video's size and rate with ffprobe; a missing, truncated or non-video file is IOC_ERR_CAMERA_SOURCE. */
export async function probeVideo(url: string, options: { ffprobePath?: string; timeoutMs?: number } = {}): Promise<VideoInfo> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,nb_frames,duration', '-of', 'json'];
  if (/^rtsp/i.test(url)) args.push('-rtsp_transport', 'tcp');
  args.push(url);
  const { stdout, stderr, code } = await runCapture(options.ffprobePath ?? 'ffprobe', args, options.timeoutMs ?? 15_000);
  const reason = stderr.trim().split('\n').slice(-2).join(' ') || `ffprobe exited with code ${code}`;
  if (code !== 0) throw iocError('IOC_ERR_CAMERA_SOURCE', `Cannot open video ${scrubUrlCredentials(url)}: ${scrubUrlCredentials(reason)}`);
  let stream: { codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; nb_frames?: string; duration?: string } | undefined;
  try {
    stream = (JSON.parse(stdout) as { streams?: Array<typeof stream> }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (!stream?.width || !stream.height) throw iocError('IOC_ERR_CAMERA_SOURCE', `No video stream in ${scrubUrlCredentials(url)}`);
  const [numerator, denominator] = (stream.avg_frame_rate ?? '').split('/').map(Number);
  const framesPerSecond = numerator && denominator ? numerator / denominator : undefined;
  const frameCount = stream.nb_frames ? Number(stream.nb_frames) : undefined;
  const durationSeconds = stream.duration ? Number(stream.duration) : undefined;
  return {
    widthPixels: stream.width,
    heightPixels: stream.height,
    framesPerSecond,
    frameCount: Number.isFinite(frameCount) ? frameCount : undefined,
    durationSeconds: Number.isFinite(durationSeconds) ? durationSeconds : undefined,
    codecName: stream.codec_name,
  };
}

function runCapture(command: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(iocError('IOC_ERR_CAMERA_SOURCE', `Cannot run ${command}: ${err.message} (install ffmpeg)`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

/**
 * One ffmpeg child process per camera, writing raw RGB24 frames on its stdout; frames are cut from the pipe
 * into buffers of exactly one frame. ffmpeg does the rate conversion (`fps` filter), so a 30 fps camera
 * analysed at 5 fps costs one decode pass and no copies of the dropped frames. Iterate `frames()` once.
 */
export class FfmpegFrameSource {
  readonly url: string;
  readonly #options: FfmpegSourceOptions;
  readonly #log: Logger;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #closed = false;
  #info: VideoInfo | undefined;
  #outputWidth = 0;
  #outputHeight = 0;

  constructor(options: FfmpegSourceOptions) {
    this.url = options.url;
    this.#options = options;
    this.#log = options.logger.child({ module: 'ffmpeg-source', source: scrubUrlCredentials(options.url) });
  }

  /** Size of the delivered frames (after any downscale); known once `open()` resolved. */
  get frameSize(): { widthPixels: number; heightPixels: number } {
    return { widthPixels: this.#outputWidth, heightPixels: this.#outputHeight };
  }

  get videoInfo(): VideoInfo | undefined {
    return this.#info;
  }

  async open(): Promise<VideoInfo> {
    const info = await probeVideo(this.url, this.#options.ffprobePath === undefined ? {} : { ffprobePath: this.#options.ffprobePath });
    this.#info = info;
    const maxWidth = this.#options.maxWidthPixels;
    if (maxWidth !== undefined && info.widthPixels > maxWidth) {
      this.#outputWidth = maxWidth - (maxWidth % 2);
      // Even height keeps ffmpeg's scaler and any later H.264 encode happy.
      this.#outputHeight = Math.max(2, Math.round((info.heightPixels * this.#outputWidth) / info.widthPixels / 2) * 2);
    } else {
      this.#outputWidth = info.widthPixels;
      this.#outputHeight = info.heightPixels;
    }
    return info;
  }

  /** The ffmpeg arguments for this source (exposed for tests and for the log line, scrubbed there). */
  ffmpegArguments(): string[] {
    const live = isLiveUrl(this.url);
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
    if (/^rtsp/i.test(this.url)) args.push('-rtsp_transport', 'tcp');
    if (!live && this.#options.loop) args.push('-stream_loop', '-1');
    if (!live && this.#options.realtime) args.push('-re');
    // An HTTP MJPEG stream carries no timestamps: ffmpeg would number its frames as 25 fps whatever the camera
    // sends, and the fps filter would keep 2 of every 25 frames, not 2 a second (0.5 fps from a 6 fps camera).
    // Stamping each frame with the time it arrived makes the analysis rate a rate in real seconds.
    if (live && this.#info?.codecName === 'mjpeg') args.push('-use_wallclock_as_timestamps', '1');
    args.push('-i', this.url, '-an', '-sn', '-dn');
    const filters: string[] = [];
    if (this.#options.analysisFps !== undefined) filters.push(`fps=${this.#options.analysisFps}`);
    if (this.#info && this.#outputWidth !== this.#info.widthPixels) filters.push(`scale=${this.#outputWidth}:${this.#outputHeight}`);
    if (filters.length > 0) args.push('-vf', filters.join(','));
    else args.push('-fps_mode', 'passthrough');
    args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    return args;
  }

  /**
   * Frames until the file ends (or forever for live streams and loops) or `close()`. A source that fails
   * mid-stream (truncated file, dropped connection) ends the iteration with IOC_ERR_CAMERA_SOURCE.
   */
  async *frames(): AsyncGenerator<Frame> {
    if (this.#info === undefined) await this.open();
    const frameBytes = this.#outputWidth * this.#outputHeight * 3;
    const live = isLiveUrl(this.url);
    const args = this.ffmpegArguments();
    this.#log.debug({ args: args.map(scrubUrlCredentials) }, 'starting ffmpeg');
    const child = spawn(this.#options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let stderrTail = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));

    const startedAtMs = Date.now();
    const fps = this.#options.analysisFps ?? this.#info?.framesPerSecond;
    let index = 0;
    // Pipe chunks (64 KiB) are copied straight into the frame being filled: one copy and one allocation per
    // frame (a frame is 2 MB at 1006×720; consumers may keep it, e.g. the violation clip ring buffer).
    let rgb = new Uint8Array(frameBytes);
    let pendingBytes = 0;
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const count = Math.min(frameBytes - pendingBytes, chunk.length - offset);
          rgb.set(chunk.subarray(offset, offset + count), pendingBytes);
          pendingBytes += count;
          offset += count;
          if (pendingBytes < frameBytes) continue;
          const timestampMs = live || !fps ? Date.now() - (live ? 0 : startedAtMs) : (index * 1000) / fps;
          yield { index, timestampMs, widthPixels: this.#outputWidth, heightPixels: this.#outputHeight, rgb };
          index += 1;
          if (this.#closed) return;
          rgb = new Uint8Array(frameBytes);
          pendingBytes = 0;
        }
      }
      const code = await Promise.race([exited, spawnError.then((err) => err)]);
      if (code instanceof Error) throw iocError('IOC_ERR_CAMERA_SOURCE', `Cannot run ffmpeg: ${code.message} (install ffmpeg)`, { cause: code });
      if (!this.#closed && code !== 0) {
        const reason = scrubUrlCredentials(stderrTail.trim().split('\n').slice(-3).join(' ')) || `ffmpeg exited with code ${code}`;
        throw iocError('IOC_ERR_CAMERA_SOURCE', `Video ${scrubUrlCredentials(this.url)} failed after ${index} frames: ${reason}`);
      }
      if (!this.#closed && index === 0) throw iocError('IOC_ERR_CAMERA_SOURCE', `Video ${scrubUrlCredentials(this.url)} gave no frames (truncated or empty?)`);
      if (!this.#closed && pendingBytes > 0) this.#log.warn({ bytes: pendingBytes, frameBytes }, 'video ended with a partial frame (truncated file?)');
    } finally {
      this.#stopChild();
    }
  }

  #stopChild(): void {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.#child = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stopChild();
  }
}
