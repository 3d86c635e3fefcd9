import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';

/**
 * models/manifest.json: what each shipped model is, how to feed it, what it returns, where it came from and
 * under which licences, and the sha256 of the exact bytes the runtime may load.
 */

export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestOutput {
  /** ONNX output name. */
  name: string;
  /** The TensorFlow.js tensor it was converted from. */
  tfName?: string;
  dims: number[];
  description: string;
}

export interface ManifestSourceFile {
  /** Path inside the source package. */
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface ManifestSource {
  package: string;
  version: string;
  files: ManifestSourceFile[];
}

export interface ManifestModel {
  name: string;
  /** Decoder adapter (`@ioc/vision` ModelType). */
  type: 'nanodet' | 'yolov8' | 'yolo11';
  /** The .onnx file, relative to the manifest. */
  file: string;
  sha256: string;
  sizeBytes: number;
  /** int8: a QDQ graph from src/quantise-qdq.ts (models/train/export-onnx.ts --int8). */
  onnx: { irVersion: number; opset: number; weightStorage: 'float16' | 'float32' | 'int8' };
  input: { name: string; dims: number[]; layout: 'NCHW'; dtype: 'float32' };
  inputWidthPixels: number;
  inputHeightPixels: number;
  /** Done by the runtime before inference: the graph itself does not normalise. */
  normalisation: { channelOrder: 'rgb' | 'bgr'; mean: [number, number, number]; std: [number, number, number]; padValue: number };
  outputs: ManifestOutput[];
  decoderParams: Record<string, unknown>;
  labels: string[];
  build: {
    /** How the file is made: `pnpm models:build`, or the export command of a model used as published. */
    command: string;
    /** `models/src/convert-tfjs-to-onnx.ts` for models `pnpm models:build` converts; `none` for drop-in ONNX files. */
    converter: string;
    /** The package the converter reads; absent for drop-in files. */
    source?: ManifestSource;
  };
  licences: { component: string; spdx: string; url: string }[];
  /**
   * Models we fine-tune (`pnpm models:train`): what they start from, the data and its licence/credit, the
   * command, seed, epochs, wall time and machine, and what train.py reported (`result`).
   */
  training?: Record<string, unknown>;
}

export interface ModelManifest {
  schemaVersion: number;
  models: ManifestModel[];
}

export function readModelManifest(path: string): ModelManifest {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
  if (manifest.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new Error(`${path}: schemaVersion is ${manifest.schemaVersion}, expected ${MANIFEST_SCHEMA_VERSION}`);
  }
  return manifest;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Streams the file (model files are megabytes; no need to hold them twice). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Why `path` is not the model the manifest describes, or undefined when it is. */
export async function modelFileMismatch(path: string, model: Pick<ManifestModel, 'sha256' | 'sizeBytes'>): Promise<string | undefined> {
  let sizeBytes: number;
  try {
    sizeBytes = statSync(path).size;
  } catch {
    return `${path} does not exist (run \`pnpm models:build\`)`;
  }
  if (sizeBytes !== model.sizeBytes) return `${path} is ${sizeBytes} bytes, the manifest expects ${model.sizeBytes}`;
  const sha256 = await sha256OfFile(path);
  return sha256 === model.sha256 ? undefined : `${path} has sha256 ${sha256}, the manifest expects ${model.sha256}`;
}
