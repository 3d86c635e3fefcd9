import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { iocError } from '@ioc/schemas';
import type { OutputTensor } from '@ioc/vision';

export interface InferenceResult {
  outputs: Record<string, OutputTensor>;
  inferenceMs: number;
  /** The input buffer, handed back so the caller can fill it again for the next frame. */
  input: Float32Array;
}

interface PendingRequest {
  resolve: (result: InferenceResult) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: number;
  pending: Map<number, PendingRequest>;
}

interface QueuedRequest {
  data: Float32Array;
  dims: readonly number[];
  resolve: (result: InferenceResult) => void;
  reject: (error: Error) => void;
}

const WORKER_URL = new URL('./inference-worker.mjs', import.meta.url);

/**
 * Worker threads that each hold one onnxruntime session of the same model; cameras share them. A request goes
 * to an idle worker, else waits in one queue (oldest first), so N workers keep N cores busy whatever the
 * number of cameras. Tensors move between threads without copies (transferred buffers).
 */
export class InferencePool {
  readonly file: string;
  readonly inputName: string;
  readonly outputNames: readonly string[];
  readonly #workers: PoolWorker[];
  readonly #queue: QueuedRequest[] = [];
  #nextId = 1;
  #closed = false;

  private constructor(file: string, workers: PoolWorker[], inputName: string, outputNames: readonly string[]) {
    this.file = file;
    this.#workers = workers;
    this.inputName = inputName;
    this.outputNames = outputNames;
    for (const entry of workers) this.#listen(entry);
  }

  /** Starts `workers` threads (default: one per core), each running the model with `threadsPerWorker` threads. */
  static async create(file: string, options: { workers?: number; threadsPerWorker?: number } = {}): Promise<InferencePool> {
    const count = Math.max(1, options.workers ?? os.availableParallelism());
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => startWorker(file, Math.max(1, options.threadsPerWorker ?? 1))),
    );
    const failure = started.find((result) => result.status === 'rejected');
    const ready = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (failure) {
      await Promise.all(ready.map(({ worker }) => worker.terminate()));
      throw (failure as PromiseRejectedResult).reason;
    }
    const first = ready[0] as Awaited<ReturnType<typeof startWorker>>;
    return new InferencePool(
      file,
      ready.map(({ worker }) => ({ worker, busy: 0, pending: new Map() })),
      first.inputNames[0] as string,
      first.outputNames,
    );
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Requests waiting for a free worker (back-pressure signal for the cameras). */
  get queued(): number {
    return this.#queue.length;
  }

  run(data: Float32Array, dims: readonly number[]): Promise<InferenceResult> {
    if (this.#closed) return Promise.reject(iocError('IOC_ERR_SHUTTING_DOWN', 'The inference pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ data, dims, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const idle = this.#workers.find((entry) => entry.busy === 0);
      if (!idle) return;
      const request = this.#queue.shift() as QueuedRequest;
      const id = this.#nextId++;
      idle.busy += 1;
      idle.pending.set(id, { resolve: request.resolve, reject: request.reject });
      idle.worker.postMessage({ type: 'run', id, inputName: this.inputName, data: request.data, dims: request.dims }, [request.data.buffer as ArrayBuffer]);
    }
  }

  #listen(entry: PoolWorker): void {
    entry.worker.on('message', (message: { type: string; id: number; outputs?: Record<string, OutputTensor>; inferenceMs?: number; input: Float32Array; message?: string }) => {
      const pending = entry.pending.get(message.id);
      if (!pending) return;
      entry.pending.delete(message.id);
      entry.busy -= 1;
      if (message.type === 'result') pending.resolve({ outputs: message.outputs ?? {}, inferenceMs: message.inferenceMs ?? 0, input: message.input });
      else pending.reject(iocError('IOC_ERR_MODEL', `Inference failed in ${this.file}: ${message.message ?? 'unknown error'}`));
      this.#dispatch();
    });
    entry.worker.on('error', (err) => {
      for (const pending of entry.pending.values()) pending.reject(iocError('IOC_ERR_MODEL', `Inference worker crashed: ${err.message}`, { cause: err }));
      entry.pending.clear();
      entry.busy = Number.POSITIVE_INFINITY; // never dispatch to it again
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const request of this.#queue.splice(0)) request.reject(iocError('IOC_ERR_SHUTTING_DOWN', 'The inference pool is closed'));
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }
}

function startWorker(file: string, threads: number): Promise<{ worker: Worker; inputNames: string[]; outputNames: string[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: { file, threads } });
    const onError = (err: Error): void => reject(iocError('IOC_ERR_MODEL', `Cannot start an inference worker for ${file}: ${err.message}`, { cause: err }));
    worker.once('error', onError);
    worker.once('message', (message: { type: string; inputNames?: string[]; outputNames?: string[]; message?: string }) => {
      worker.off('error', onError);
      if (message.type === 'ready') resolve({ worker, inputNames: message.inputNames ?? [], outputNames: message.outputNames ?? [] });
      else {
        void worker.terminate();
        reject(iocError('IOC_ERR_MODEL', `onnxruntime cannot load ${file}: ${message.message ?? 'unknown error'}`));
      }
    });
  });
}
