import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import { iocError, isIocError } from '@ioc/schemas';
import {
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
  /** Threads for one inference (onnxruntime intra-op). Cameras in one process share the machine's cores. */
  threads?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
  /** Keep only these class ids (e.g. the traffic classes); all when absent. */
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
  readonly #session: ort.InferenceSession;
  readonly #inputName: string;
  readonly #scoreThreshold: number;
  readonly #iouThreshold: number;
  readonly #classIds: readonly number[] | undefined;
  #geometry: LetterboxGeometry | undefined;
  #inputBuffer: Float32Array | undefined;

  private constructor(spec: DetectorModelSpec, session: ort.InferenceSession, options: DetectorOptions) {
    this.spec = spec;
    this.#session = session;
    this.#inputName = session.inputNames[0] as string;
    // Low: ByteTrack keeps tracks alive through low-confidence boxes (its second association stage); births need more.
    this.#scoreThreshold = options.scoreThreshold ?? 0.1;
    this.#iouThreshold = options.iouThreshold ?? 0.5;
    this.#classIds = options.classIds;
  }

  static async load(spec: DetectorModelSpec, options: DetectorOptions): Promise<OnnxDetector> {
    if (!existsSync(spec.file)) throw iocError('IOC_ERR_MODEL', `Model ${spec.name}: file ${spec.file} is missing; run \`pnpm models:build\``);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(spec.file, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw iocError('IOC_ERR_MODEL', `Model ${spec.name}: onnxruntime cannot load ${spec.file}: ${(err as Error).message}`, { cause: err });
    }
    options.logger.child({ module: 'onnx-detector' }).debug({ model: spec.name, inputs: session.inputNames, outputs: session.outputNames, threads: options.threads ?? 1 }, 'detector loaded');
    return new OnnxDetector(spec, session, options);
  }

  async detect(frame: { rgb: Uint8Array; widthPixels: number; heightPixels: number }): Promise<DetectionResult> {
    const started = performance.now();
    const geometry = this.#geometryFor(frame.widthPixels, frame.heightPixels);
    const input = frameToInputTensor(frame.rgb, geometry, this.spec.normalisation, this.#inputBuffer);
    const tensor = new ort.Tensor('float32', input, [1, 3, this.spec.inputHeightPixels, this.spec.inputWidthPixels]);
    const preprocessed = performance.now();
    const results = await this.#session.run({ [this.#inputName]: tensor });
    const inferred = performance.now();
    const outputs: Record<string, OutputTensor> = {};
    for (const [name, value] of Object.entries(results)) outputs[name] = { data: value.data as Float32Array, dims: value.dims };
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
    const detections = unletterboxDetections(nonMaxSuppression(decoded, this.#iouThreshold), geometry);
    const finished = performance.now();
    return { detections, preprocessMs: preprocessed - started, inferenceMs: inferred - preprocessed, postprocessMs: finished - inferred };
  }

  #geometryFor(widthPixels: number, heightPixels: number): LetterboxGeometry {
    const current = this.#geometry;
    if (current && current.sourceWidthPixels === widthPixels && current.sourceHeightPixels === heightPixels) return current;
    const geometry = letterbox(widthPixels, heightPixels, { width: this.spec.inputWidthPixels, height: this.spec.inputHeightPixels });
    this.#geometry = geometry;
    this.#inputBuffer = new Float32Array(3 * this.spec.inputWidthPixels * this.spec.inputHeightPixels);
    return geometry;
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
