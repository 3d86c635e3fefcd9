import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { iocError, parseWith } from '@ioc/schemas';
import { MODEL_TYPES, type ModelType } from '@ioc/vision';
import type { DetectorModelSpec } from './onnx-detector';

const manifestModelSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(MODEL_TYPES as [ModelType, ...ModelType[]]),
    file: z.string().min(1).describe('path relative to the manifest'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    inputWidthPixels: z.number().int().positive(),
    inputHeightPixels: z.number().int().positive(),
    normalisation: z
      .object({
        channelOrder: z.enum(['rgb', 'bgr']),
        mean: z.tuple([z.number(), z.number(), z.number()]),
        std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
        padValue: z.number().min(0).max(255).default(0),
      })
      .loose(),
    labels: z.array(z.string()).min(1),
    decoderParams: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

const manifestSchema = z.object({ models: z.array(manifestModelSchema).min(1) }).loose();

export type ManifestModel = z.infer<typeof manifestModelSchema>;

/** The shipped models (`models/manifest.json`): name → what the runtime needs, sha256 checked on demand. */
export class ModelCatalog {
  readonly directory: string;
  readonly #models: Map<string, ManifestModel>;

  private constructor(directory: string, models: ManifestModel[]) {
    this.directory = directory;
    this.#models = new Map(models.map((model) => [model.name, model]));
  }

  static load(directory: string): ModelCatalog {
    const manifestPath = path.join(directory, 'manifest.json');
    if (!existsSync(manifestPath)) throw iocError('IOC_ERR_MODEL', `No model manifest at ${manifestPath}`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (err) {
      throw iocError('IOC_ERR_MODEL', `Model manifest ${manifestPath} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    const parsed = parseWith(manifestSchema, raw, 'model manifest');
    if (!parsed.ok) throw iocError('IOC_ERR_MODEL', `${parsed.error.message} (${manifestPath})`, { issues: [...parsed.error.issues] });
    return new ModelCatalog(directory, parsed.value.models);
  }

  names(): string[] {
    return [...this.#models.keys()];
  }

  entry(name: string): ManifestModel {
    const model = this.#models.get(name);
    if (!model) throw iocError('IOC_ERR_MODEL', `Unknown model "${name}"; the manifest has ${this.names().join(', ')}`);
    return model;
  }

  spec(name: string): DetectorModelSpec {
    const model = this.entry(name);
    return {
      name: model.name,
      type: model.type,
      file: path.resolve(this.directory, model.file),
      inputWidthPixels: model.inputWidthPixels,
      inputHeightPixels: model.inputHeightPixels,
      normalisation: { channelOrder: model.normalisation.channelOrder, mean: model.normalisation.mean, std: model.normalisation.std, padValue: model.normalisation.padValue },
      labels: model.labels,
      ...(model.decoderParams ? { decoderParams: model.decoderParams } : {}),
    };
  }

  /** Checks the file against the manifest's sha256 (IOC_ERR_MODEL naming `pnpm models:build` when it differs). */
  async verify(name: string): Promise<void> {
    const model = this.entry(name);
    const file = path.resolve(this.directory, model.file);
    if (!existsSync(file)) throw iocError('IOC_ERR_MODEL', `Model ${name}: ${file} is missing; run \`pnpm models:build\``);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== model.sha256) throw iocError('IOC_ERR_MODEL', `Model ${name}: ${file} has sha256 ${actual}, the manifest says ${model.sha256}; run \`pnpm models:build\``);
  }
}
