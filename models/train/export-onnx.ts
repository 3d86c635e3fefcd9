/**
 * The trained graph (graph.json + weights.bin written by train.py) → ONNX through our own proto writer, the same
 * way `pnpm models:build` writes the converted model: float16 weight storage with one Cast each (train.py
 * rounds the weights to float16 before saving, so nothing is lost here), attributes sorted, no timestamps.
 *
 *   tsx models/train/export-onnx.ts [model=nanodet-416-vn] [dumpDirectory=models/train/.work/<model>] [--update-manifest] [--manifest=PATH] [--int8=RANGES.json]
 *
 * --int8: an int8 QDQ graph instead (src/quantise-qdq.ts) from activation ranges written by calibrate.py; the
 * manifest entry says `weightStorage: "int8"`.
 *
 * Checks the dump against the manifest entry (input, output dims, labels) and, without --update-manifest, the
 * bytes against its sha256/size; with it, writes sha256, size and the training facts into the entry.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeConvertedGraph } from '../src/convert-tfjs-to-onnx';
import { encodeOnnxModel } from '../src/onnx-proto';
import { quantiseGraphQdq, type ActivationRanges } from '../src/quantise-qdq';
import { parseGraphDump, type GraphDumpJson } from '../src/graph-dump';
import { readModelManifest, sha256Hex } from '../src/manifest';

// --manifest=PATH: another manifest (and folder for the file), e.g. a scratch one for measuring input-size variants.
const manifestFlag = process.argv.find((argument) => argument.startsWith('--manifest='));
const manifestPath = manifestFlag ? manifestFlag.slice('--manifest='.length) : join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest.json');
const modelsDirectory = dirname(manifestPath);
const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const updateManifest = process.argv.includes('--update-manifest');
const int8Flag = process.argv.find((argument) => argument.startsWith('--int8='));
const modelName = positional[0] ?? 'nanodet-416-vn';
const dumpDirectory = positional[1] ?? join(dirname(fileURLToPath(import.meta.url)), '.work', modelName);

const manifest = readModelManifest(manifestPath);
const model = manifest.models.find((entry) => entry.name === modelName);
if (!model) throw new Error(`${modelName}: add its entry to models/manifest.json first (labels, outputs, decoderParams)`);

const json = JSON.parse(readFileSync(join(dumpDirectory, 'graph.json'), 'utf8')) as GraphDumpJson;
const graph = parseGraphDump(json, readFileSync(join(dumpDirectory, 'weights.bin')));
const problems: string[] = [];
const notes = (json.notes ?? {}) as { labels?: string[] };
if (notes.labels && notes.labels.join() !== model.labels.join()) problems.push(`labels: the dump has [${notes.labels.join(', ')}], the manifest [${model.labels.join(', ')}]`);
const [input] = graph.inputs;
if (graph.inputs.length !== 1 || input?.name !== model.input.name || input.dims.join() !== model.input.dims.join()) problems.push(`input: the dump has ${graph.inputs.map((info) => `${info.name} [${info.dims.join(', ')}]`).join(', ')}`);
for (const [index, output] of graph.outputs.entries()) {
  const expected = model.outputs[index];
  if (expected?.name !== output.name || expected.dims.join() !== output.dims.join()) problems.push(`output ${output.name} [${output.dims.join(', ')}] differs from the manifest's ${expected?.name} [${expected?.dims.join(', ')}]`);
}

// Names the Cast nodes and float16 initializers may take: none the graph uses.
const used = new Set<string>([...graph.constants.keys(), ...graph.inputs.map((info) => info.name), ...graph.nodes.flatMap((node) => [node.name, ...node.outputs])]);
const freshName = (base: string): string => {
  let name = base;
  for (let suffix = 1; used.has(name); suffix += 1) name = `${base}__${suffix}`;
  used.add(name);
  return name;
};
const metadata: [string, string][] = [
  ['source', `models/train/train.py fine-tune of nanodet-416${int8Flag ? ', int8 (src/quantise-qdq.ts)' : ''}`],
  ['licences', model.licences.map((licence) => `${licence.component}: ${licence.spdx}`).join('; ')],
];
// Refused before anything is written: the committed file must not be replaced by the wrong kind of graph.
if (Boolean(int8Flag) !== (model.onnx.weightStorage === 'int8')) {
  throw new Error(
    int8Flag
      ? `${modelName}: --int8 writes int8 weights; the manifest entry says weightStorage ${model.onnx.weightStorage}`
      : `${modelName}: the manifest entry says weightStorage int8; export it with --int8=RANGES.json (models/train/calibrate.py)`,
  );
}
let bytes: Uint8Array;
if (int8Flag) {
  const ranges = JSON.parse(readFileSync(int8Flag.slice('--int8='.length), 'utf8')) as ActivationRanges;
  const quantised = quantiseGraphQdq(graph, ranges);
  console.log(`${modelName}: ${quantised.int8Convolutions} int8 convolutions, ${quantised.floatConvolutions} float (the heads)`);
  bytes = encodeOnnxModel({
    producerName: '@ioc/models',
    producerVersion: '1',
    metadata,
    graph: { name: model.name, nodes: quantised.nodes, initializers: quantised.initializers, inputs: graph.inputs, outputs: graph.outputs },
  });
} else {
  const weightStorage = model.onnx.weightStorage === 'int8' ? 'float16' : model.onnx.weightStorage; // int8 refused above
  bytes = encodeConvertedGraph(graph, { weightStorage, graphName: model.name, producerName: '@ioc/models', producerVersion: '1', metadata }, freshName);
}
const sha256 = sha256Hex(bytes);
const outputPath = join(modelsDirectory, model.file);
mkdirSync(dirname(outputPath), { recursive: true });
writeFileSync(outputPath, bytes);
console.log(`${modelName}: wrote ${model.file} (${bytes.byteLength} bytes, sha256 ${sha256})`);
if (updateManifest && problems.length === 0) {
  model.sha256 = sha256;
  model.sizeBytes = bytes.byteLength;
  const training = json.notes as Record<string, unknown> | undefined;
  if (training) model.training = { ...model.training, result: training };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`updated ${manifestPath}`);
} else if (sha256 !== model.sha256 || bytes.byteLength !== model.sizeBytes) {
  problems.push(`built ${bytes.byteLength} bytes with sha256 ${sha256}; the manifest pins ${model.sizeBytes} bytes with ${model.sha256} (after a deliberate retraining: --update-manifest)`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`${modelName}: ${problem}`);
  process.exitCode = 1;
}
