import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./jpeg-worker.mjs', import.meta.url);

export interface RgbImage {
  rgb: Uint8Array;
  widthPixels: number;
  heightPixels: number;
}

/**
 * Encodes RGB24 images to JPEG on one worker thread shared by every camera (evidence images: a few per
 * violation, a few hundred milliseconds each). The pixels are transferred, not copied: callers hand over an
 * image they no longer use. The worker is unreferenced, so it never keeps a process alive.
 */
export class JpegEncoder {
  static #shared: JpegEncoder | undefined;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (jpeg: Buffer) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  private constructor() {
    this.#worker = new Worker(WORKER_URL);
    this.#worker.unref();
    this.#worker.on('message', (message: { id: number; jpeg?: Uint8Array; message?: string }) => {
      const request = this.#pending.get(message.id);
      if (!request) return;
      this.#pending.delete(message.id);
      if (message.jpeg) request.resolve(Buffer.from(message.jpeg.buffer, message.jpeg.byteOffset, message.jpeg.byteLength));
      else request.reject(new Error(`JPEG encoding failed: ${message.message ?? 'unknown error'}`));
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', (code) => {
      this.#failAll(new Error(`the JPEG worker exited (code ${code})`));
      if (JpegEncoder.#shared === this) JpegEncoder.#shared = undefined;
    });
  }

  /** The process's encoder (started on first use, started again if its thread died). */
  static shared(): JpegEncoder {
    JpegEncoder.#shared ??= new JpegEncoder();
    return JpegEncoder.#shared;
  }

  /** Encodes and resolves the JPEG bytes; `image.rgb` is transferred to the worker and unusable afterwards. */
  encode(image: RgbImage, quality: number): Promise<Buffer> {
    if (image.rgb.byteLength !== image.widthPixels * image.heightPixels * 3) return Promise.reject(new RangeError(`an RGB image of ${image.widthPixels}×${image.heightPixels} has ${image.widthPixels * image.heightPixels * 3} bytes, got ${image.rgb.byteLength}`));
    const id = this.#nextId;
    this.#nextId += 1;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Only a buffer of its own can be transferred; a view into a larger one is copied.
      const own = image.rgb.byteOffset === 0 && image.rgb.byteLength === image.rgb.buffer.byteLength;
      const rgb = own ? image.rgb : image.rgb.slice();
      this.#worker.postMessage({ id, rgb, widthPixels: image.widthPixels, heightPixels: image.heightPixels, quality }, [rgb.buffer as ArrayBuffer]);
    });
  }

  #failAll(error: Error): void {
    for (const request of this.#pending.values()) request.reject(error);
    this.#pending.clear();
  }
}
