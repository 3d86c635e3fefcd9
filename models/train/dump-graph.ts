/**
 * Writes the optimised graph of a converted manifest entry as `graph.json` + `weights.bin` (see
 * src/graph-dump.ts), the starting point of `models/train/train.py`.
 *
 *   tsx models/train/dump-graph.ts [model=nanodet-416] [outDirectory=models/train/.work/<model>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertTfjsToOnnx } from '../src/convert-tfjs-to-onnx';
import { dumpGraph } from '../src/graph-dump';
import { readModelManifest } from '../src/manifest';
import { conversionOptionsFor, sourceModelJsonPath } from '../src/manifest-conversion';
import { readTfjsArtifacts } from '../src/tfjs-graph';

const modelsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelName = process.argv[2] ?? 'nanodet-416';
const outDirectory = process.argv[3] ?? join(modelsDirectory, 'train', '.work', modelName);

const model = readModelManifest(join(modelsDirectory, 'manifest.json')).models.find((entry) => entry.name === modelName);
if (!model?.build.source) throw new Error(`${modelName}: no converted model of that name in models/manifest.json`);
const packageJsonPath = createRequire(join(modelsDirectory, 'package.json')).resolve(`${model.build.source.package}/package.json`);
const result = await convertTfjsToOnnx(readTfjsArtifacts(sourceModelJsonPath(model, dirname(packageJsonPath))), conversionOptionsFor(model));
const dump = dumpGraph(result.graph);
mkdirSync(outDirectory, { recursive: true });
writeFileSync(join(outDirectory, 'graph.json'), `${JSON.stringify(dump.json)}\n`);
writeFileSync(join(outDirectory, 'weights.bin'), dump.weights);
console.log(`${modelName}: ${dump.json.nodes.length} nodes, ${dump.json.constants.length} constants (${dump.weights.byteLength} bytes of float32) → ${outDirectory}`);
