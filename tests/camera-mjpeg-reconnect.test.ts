import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cameraConfigSchema } from '@ioc/schemas';
import { TrafficFlowRepository, createPool, migrate } from '@ioc/store';
import { CameraPipeline, ModelCatalog } from '@ioc/ingest';
import { createTestDatabase } from './setup/database';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * An IP camera as many cities have them: an HTTP MJPEG stream. The stream is emulated with real footage (ffmpeg
 * encodes JPEG frames, a Node HTTP server sends them as multipart/x-mixed-replace to every client). The camera
 * pipeline goes online, goes offline when the camera disappears, and comes back by itself when it returns.
 */
class MjpegCamera {
  readonly #clients = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #encoder: ChildProcess | undefined;
  port = 0;

  constructor(private readonly video: string) {}

  async start(): Promise<void> {
    this.#encoder = spawn('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '-1', '-i', this.video, '-vf', 'scale=480:-2', '-q:v', '5', '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let pending = Buffer.alloc(0);
    this.#encoder.stdout?.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      // Cut complete JPEGs (start FFD8 … end FFD9) out of the stream.
      for (;;) {
        const start = pending.indexOf(Buffer.from([0xff, 0xd8]));
        const end = pending.indexOf(Buffer.from([0xff, 0xd9]), start + 2);
        if (start < 0 || end < 0) break;
        const jpeg = pending.subarray(start, end + 2);
        pending = pending.subarray(end + 2);
        for (const client of this.#clients) {
          client.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
          client.write(jpeg);
          client.write('\r\n');
        }
      }
    });
    this.#server = createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
      this.#clients.add(response);
      request.on('close', () => this.#clients.delete(response));
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server?.listen(this.port, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.#encoder?.kill('SIGKILL');
    for (const socket of this.#sockets) socket.destroy();
    this.#clients.clear();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

describe.skipIf(sharedDataMissingReason !== undefined)(`HTTP MJPEG camera that drops and returns ${sharedDataMissingReason ?? ''}`, () => {
  const camera = new MjpegCamera(path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'));
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;
  let pipeline: CameraPipeline;

  beforeAll(async () => {
    await camera.start();
    database = await createTestDatabase(inject('databaseAdminUrl'), 'camera_mjpeg');
    pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    const catalog = ModelCatalog.load(path.resolve(import.meta.dirname, '../models'));
    pipeline = new CameraPipeline({
      camera: cameraConfigSchema.parse({
        id: 'cam-mjpeg',
        name: 'Camera MJPEG',
        // Credentials in the URL: they must never reach a log line or an error the API shows.
        source: { url: `http://viewer:S3cret@127.0.0.1:${camera.port}/video.mjpg` },
        analysisFps: 2,
        lines: [{ id: 'l', points: [[0, 0.78], [1, 0.78]] }],
      }),
      model: catalog.spec('nanodet-416'),
      flows: new TrafficFlowRepository(pool),
      logger: pino({ level: 'silent' }),
      backoffMs: { initial: 200, max: 1000 },
    });
    pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
    await camera.stop();
    await pool?.end();
    await database?.drop();
  });

  it('goes online, offline when the camera disappears, and online again when it returns', async () => {
    await expect.poll(() => pipeline.state, { timeout: 30_000, interval: 200 }).toBe('online');
    const analysedBefore = pipeline.status().framesAnalysed;
    expect(analysedBefore).toBeGreaterThan(0);

    await camera.stop();
    await expect.poll(() => pipeline.state, { timeout: 20_000, interval: 200 }).toBe('offline');
    const offline = pipeline.status();
    expect(offline.lastError ?? '').not.toContain('S3cret');

    await camera.start();
    await expect.poll(() => pipeline.state, { timeout: 30_000, interval: 200 }).toBe('online');
    await expect.poll(() => pipeline.status().framesAnalysed, { timeout: 20_000, interval: 200 }).toBeGreaterThan(analysedBefore);
    expect(pipeline.status().reconnects).toBeGreaterThanOrEqual(1);
  });
});
