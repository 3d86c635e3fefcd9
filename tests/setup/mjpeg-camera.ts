import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An IP camera as many cities have them: an HTTP MJPEG stream, emulated with real footage (ffmpeg encodes JPEG
 * frames, a Node HTTP server sends them as multipart/x-mixed-replace to every client). `stop()` is the camera
 * disappearing (connections cut, port closed); `start()` again brings it back on the same port.
 */
export class MjpegCamera {
  readonly #clients = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #encoder: ChildProcess | undefined;
  port = 0;
  /** JPEG frames written to clients (one per client per frame), since this object was made. */
  framesServed = 0;
  /** HTTP connections accepted, since this object was made. */
  connections = 0;

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
          this.framesServed += 1;
        }
      }
    });
    this.#server = createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
      this.#clients.add(response);
      request.on('close', () => this.#clients.delete(response));
    });
    this.#server.on('connection', (socket) => {
      this.connections += 1;
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
