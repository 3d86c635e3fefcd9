import { join } from 'node:path';
import type { ConvertOptions } from './convert-tfjs-to-onnx';
import type { ManifestModel } from './manifest';

/** The source model.json of a manifest entry, inside its installed source package. */
export function sourceModelJsonPath(model: ManifestModel, packageDirectory: string): string {
  const modelJsonFile = model.build.source?.files.find((file) => file.path.endsWith('.json'));
  if (!modelJsonFile) throw new Error(`${model.name}: the manifest names no model.json among the source files`);
  return join(packageDirectory, modelJsonFile.path);
}

/** Converter options for a manifest entry: one definition, shared by the build and the test that pins its sha256. */
export function conversionOptionsFor(model: ManifestModel): ConvertOptions {
  const source = model.build.source;
  if (!source) throw new Error(`${model.name}: build.source is missing, so there is nothing to convert`);
  const modelJsonFile = source.files.find((file) => file.path.endsWith('.json'));
  const weightStorage = model.onnx.weightStorage;
  if (weightStorage === 'int8') throw new Error(`${model.name}: the converter writes float16 or float32 weights; int8 models come from models/train/export-onnx.ts --int8`);
  return {
    inputNames: { [model.input.name]: model.input.name },
    outputs: model.outputs.map((output) => ({ tfName: output.tfName ?? output.name, onnxName: output.name })),
    weightStorage,
    graphName: model.name,
    producerName: '@ioc/models',
    producerVersion: '1',
    metadata: [
      ['source', `${source.package}@${source.version}/${modelJsonFile?.path ?? ''}`],
      ['licences', model.licences.map((licence) => `${licence.component}: ${licence.spdx}`).join('; ')],
    ],
  };
}
