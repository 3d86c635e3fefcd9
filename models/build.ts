/**
 * `pnpm models:build`: regenerates every converted model of models/manifest.json from its source package in
 * node_modules and checks that the bytes are the ones the manifest pins (sha256 and size).
 *
 *   tsx models/build.ts                   build, verify sources and outputs; exit 1 on any mismatch
 *   tsx models/build.ts --update-manifest build and write the new sha256/size into the manifest
 *                                         (after a deliberate change to the converter or the source)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertTfjsToOnnx } from './src/convert-tfjs-to-onnx';
import { modelFileMismatch, readModelManifest, sha256Hex, type ManifestModel, type ManifestSource } from './src/manifest';
import { conversionOptionsFor, sourceModelJsonPath } from './src/manifest-conversion';
import { readTfjsArtifacts } from './src/tfjs-graph';

const modelsDirectory = dirname(fileURLToPath(import.meta.url));
const manifestPath = join(modelsDirectory, 'manifest.json');
const updateManifest = process.argv.includes('--update-manifest');
const requireFromModels = createRequire(join(modelsDirectory, 'package.json'));

/** Where a source package sits and whether it is the version the manifest was built from. */
function sourcePackageDirectory(model: ManifestModel, source: ManifestSource): string {
  const { package: packageName, version } = source;
  const packageJsonPath = requireFromModels.resolve(`${packageName}/package.json`);
  const installed = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
  if (installed !== version) throw new Error(`${model.name}: ${packageName} ${installed} is installed, the manifest was built from ${version}`);
  return dirname(packageJsonPath);
}

function verifySources(model: ManifestModel, source: ManifestSource, packageDirectory: string): string[] {
  return source.files.flatMap((file) => {
    const bytes = readFileSync(join(packageDirectory, file.path));
    const sha256 = sha256Hex(bytes);
    return sha256 === file.sha256 && bytes.byteLength === file.sizeBytes ? [] : [`${model.name}: source ${file.path} is ${bytes.byteLength} bytes with sha256 ${sha256}; the manifest expects ${file.sizeBytes} bytes with ${file.sha256}`];
  });
}

async function buildModel(model: ManifestModel): Promise<string[]> {
  const source = model.build.source;
  if (!source) return [`${model.name}: build.source is missing, so there is nothing to convert`];
  const packageDirectory = sourcePackageDirectory(model, source);
  const sourceProblems = verifySources(model, source, packageDirectory);
  if (sourceProblems.length > 0) return sourceProblems;
  const startedMs = performance.now();
  const result = await convertTfjsToOnnx(readTfjsArtifacts(sourceModelJsonPath(model, packageDirectory)), conversionOptionsFor(model));
  const problems: string[] = [];
  const [input] = result.inputs;
  if (result.inputs.length !== 1 || input?.name !== model.input.name || input.dims.join() !== model.input.dims.join()) {
    problems.push(`${model.name}: converted input is ${result.inputs.map((info) => `${info.name} [${info.dims.join(', ')}]`).join(', ')}, the manifest says ${model.input.name} [${model.input.dims.join(', ')}]`);
  }
  for (const [index, output] of result.outputs.entries()) {
    const expected = model.outputs[index];
    if (expected?.dims.join() !== output.dims.join()) problems.push(`${model.name}: output ${output.name} is [${output.dims.join(', ')}], the manifest says [${expected?.dims.join(', ')}]`);
  }

  const sha256 = sha256Hex(result.bytes);
  const outputPath = join(modelsDirectory, model.file);
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, result.bytes);
  const ops = Object.entries(result.opCounts).map(([op, count]) => `${op}×${count}`).join(' ');
  console.log(`${model.name}: wrote ${model.file} (${result.bytes.byteLength} bytes, sha256 ${sha256}) in ${Math.round(performance.now() - startedMs)} ms; ${ops}`);

  if (updateManifest) {
    model.sha256 = sha256;
    model.sizeBytes = result.bytes.byteLength;
  } else if (sha256 !== model.sha256 || result.bytes.byteLength !== model.sizeBytes) {
    problems.push(`${model.name}: built ${result.bytes.byteLength} bytes with sha256 ${sha256}; the manifest pins ${model.sizeBytes} bytes with ${model.sha256}. If the converter or source changed on purpose, run \`tsx models/build.ts --update-manifest\` and commit the manifest.`);
  }
  return problems;
}

/** Fine-tuned models are committed (training is not run at install): check the file is the one pinned. */
async function checkTrainedModel(model: ManifestModel): Promise<string[]> {
  const mismatch = await modelFileMismatch(join(modelsDirectory, model.file), model);
  if (mismatch) return [`${model.name}: ${mismatch}; it is committed under models/ and made by \`${model.build.command}\``];
  console.log(`${model.name}: ${model.file} matches the manifest (trained, committed)`);
  return [];
}

const manifest = readModelManifest(manifestPath);
const problems: string[] = [];
for (const model of manifest.models) {
  if (model.build.converter === 'models/train/export-onnx.ts') problems.push(...(await checkTrainedModel(model)));
  if (model.build.converter !== 'models/src/convert-tfjs-to-onnx.ts') continue;
  problems.push(...(await buildModel(model)));
}
if (updateManifest && problems.length === 0) {
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`updated ${manifestPath}`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exitCode = 1;
} else {
  console.log('models: all outputs match the manifest');
}
