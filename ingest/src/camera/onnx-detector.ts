import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { iocError, isIocError } from '@ioc/schemas';
import {
  COCO_LABELS,
  cocoClassIdsOf,
  decodeOutputs,
  frameToInputTensor,
  letterbox,
  nonMaxSuppression,
  unletterboxDetections,
  type DecoderParamsByType,
  type Detections,
  type InputNormalisation,
  type LetterboxGeometry,
  type ModelType,
  type OutputTensor,
} from '@ioc/vision';
import { InferencePool } from './inference-pool';

/** What the runtime needs to know about a model (from the model manifest). */
export interface DetectorModelSpec {
  name: string;
  type: ModelType;
  /** Absolute path of the .onnx file. */
  file: string;
  inputWidthPixels: number;
  inputHeightPixels: number;
  normalisation: InputNormalisation;
  /** Class names by class id. */
  labels: readonly string[];
  decoderParams?: DecoderParamsByType[ModelType];
}

export interface DetectorOptions {
  /**
   * Worker threads running this model, shared by the cameras that use it. Without one the detector starts a
   * private pool of one worker with `threads` threads (the command line, tests).
   */
  pool?: InferencePool;
  /** Threads for one inference in a private pool (onnxruntime intra-op). */
  threads?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
  /**
   * Keep only these class ids (e.g. the traffic classes); all when absent. COCO ids for every model whose labels
   * are COCO names (see `labels` below), whatever the order of its own head.
   */
  classIds?: readonly number[];
  logger: Logger;
}

export interface DetectionResult {
  /** Boxes in source-frame pixels, after NMS. */
  detections: Detections;
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
}

/**
 * A detector model run by onnxruntime-node behind the one `Detections` contract: letterbox and normalise the
 * frame, infer, decode with the adapter of the model's `type`, NMS, map boxes back to the source frame.
 * One instance per camera pipeline (sessions are not shared across concurrent runs).
 */
export class OnnxDetector {
  readonly spec: DetectorModelSpec;
  /**
   * Names of the class ids in the detections: COCO_LABELS when the model's labels are COCO names (its ids are
   * renumbered as COCO ids, e.g. nanodet-416-vn's six classes), else the model's own labels.
   */
  readonly labels: readonly string[];
  readonly #toCocoId: Int32Array | undefined;
  readonly #pool: InferencePool;
  readonly #ownsPool: boolean;
  readonly #scoreThreshold: number;
  readonly #iouThreshold: number;
  readonly #classIds: readonly number[] | undefined;
  #geometry: LetterboxGeometry | undefined;
  #inputBuffer: Float32Array | undefined;

  private constructor(spec: DetectorModelSpec, pool: InferencePool, ownsPool: boolean, options: DetectorOptions) {
    this.spec = spec;
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    // Low: ByteTrack keeps tracks alive through low-confidence boxes (its second association stage); births need more.
    this.#scoreThreshold = options.scoreThreshold ?? 0.1;
    this.#iouThreshold = options.iouThreshold ?? 0.5;
    this.#toCocoId = cocoClassIdsOf(spec.labels);
    this.labels = this.#toCocoId ? COCO_LABELS : spec.labels;
    const toCocoId = this.#toCocoId;
    // Filters are given in COCO ids: the decoder wants the model's own.
    this.#classIds = toCocoId && options.classIds ? [...toCocoId.keys()].filter((modelId) => options.classIds?.includes(toCocoId[modelId] as number)) : options.classIds;
  }

  static async load(spec: DetectorModelSpec, options: DetectorOptions): Promise<OnnxDetector> {
    if (options.pool) return new OnnxDetector(spec, options.pool, false, options);
    if (!existsSync(spec.file)) throw iocError('IOC_ERR_MODEL', `Model ${spec.name}: file ${spec.file} is missing; run \`pnpm models:build\``);
    const pool = await InferencePool.create(spec.file, { workers: 1, threadsPerWorker: options.threads ?? 1 });
    options.logger.child({ module: 'onnx-detector' }).debug({ model: spec.name, input: pool.inputName, outputs: pool.outputNames, threads: options.threads ?? 1 }, 'detector loaded');
    return new OnnxDetector(spec, pool, true, options);
  }

  /** A shared pool of `workers` inference threads for a model (one per core by default). */
  static async createPool(spec: DetectorModelSpec, options: { workers?: number; threadsPerWorker?: number } = {}): Promise<InferencePool> {
    if (!existsSync(spec.file)) throw iocError('IOC_ERR_MODEL', `Model ${spec.name}: file ${spec.file} is missing; run \`pnpm models:build\``);
    return InferencePool.create(spec.file, options);
  }

  async detect(frame: { rgb: Uint8Array; widthPixels: number; heightPixels: number }): Promise<DetectionResult> {
    const started = performance.now();
    const geometry = this.#geometryFor(frame.widthPixels, frame.heightPixels);
    const input = frameToInputTensor(frame.rgb, geometry, this.spec.normalisation, this.#inputBuffer);
    this.#inputBuffer = undefined; // moves to the worker thread and comes back with the result
    const preprocessed = performance.now();
    const result = await this.#pool.run(input, [1, 3, this.spec.inputHeightPixels, this.spec.inputWidthPixels]);
    this.#inputBuffer = result.input;
    const inferred = performance.now();
    const outputs: Readonly<Record<string, OutputTensor>> = result.outputs;
    let decoded: Detections;
    try {
      decoded = decodeOutputs(this.spec.type, outputs, {
        ...(this.spec.decoderParams ?? {}),
        scoreThreshold: this.#scoreThreshold,
        ...(this.#classIds ? { classIds: this.#classIds } : {}),
      } as DecoderParamsByType[ModelType]);
    } catch (err) {
      if (isIocError(err)) throw iocError('IOC_ERR_MODEL', `Model ${this.spec.name} (${this.spec.type}): ${err.message}`, { cause: err });
      throw err;
    }
    if (this.#toCocoId) for (let index = 0; index < decoded.classId.length; index += 1) decoded.classId[index] = this.#toCocoId[decoded.classId[index] as number] as number;
    const detections = unletterboxDetections(nonMaxSuppression(decoded, this.#iouThreshold), geometry);
    const finished = performance.now();
    // inferenceMs is the model's own time in the worker; waiting for a free worker is not inference.
    return { detections, preprocessMs: preprocessed - started, inferenceMs: result.inferenceMs, postprocessMs: finished - inferred };
  }

  #geometryFor(widthPixels: number, heightPixels: number): LetterboxGeometry {
    const current = this.#geometry;
    if (current && current.sourceWidthPixels === widthPixels && current.sourceHeightPixels === heightPixels) return current;
    const geometry = letterbox(widthPixels, heightPixels, { width: this.spec.inputWidthPixels, height: this.spec.inputHeightPixels });
    this.#geometry = geometry;
    this.#inputBuffer = undefined;
    return geometry;
  }

  async close(): Promise<void> {
    if (this.#ownsPool) await this.#pool.close();
  }
}
