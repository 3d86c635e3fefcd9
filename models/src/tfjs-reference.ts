import * as tf from '@tensorflow/tfjs';
import type { TfjsArtifacts, TfjsTensor } from './tfjs-graph';

/**
 * TensorFlow.js itself (pure-JS CPU backend) running a graph model: the reference the converted ONNX model is
 * checked against, and the evaluator of constant subgraphs at conversion time, so that folding computes exactly
 * what TensorFlow.js would.
 */
export interface TfjsReference {
  /** Runs the graph; `inputs` by placeholder name, `outputNames` as TF tensor names (`node` or `node:1`). */
  execute(inputs: Record<string, { shape: number[]; values: Float32Array }>, outputNames: readonly string[]): Map<string, TfjsTensor>;
  dispose(): void;
}

let backendReady: Promise<void> | undefined;

export async function loadTfjsReference(artifacts: TfjsArtifacts): Promise<TfjsReference> {
  backendReady ??= tf.setBackend('cpu').then(() => tf.ready());
  await backendReady;
  const { modelJson, weightData } = artifacts;
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as unknown as object,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy ?? null,
      ...(modelJson.signature ? { signature: modelJson.signature as object } : {}),
    }),
  );
  return {
    execute(inputs, outputNames) {
      const results = new Map<string, TfjsTensor>();
      // tidy() frees every intermediate tensor; only plain arrays leave it.
      tf.tidy(() => {
        const feed = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, tf.tensor(input.values, input.shape, 'float32')]));
        const executed = model.execute(feed, [...outputNames]);
        const tensors = Array.isArray(executed) ? executed : [executed];
        tensors.forEach((tensor, index) => {
          const dtype = tensor.dtype === 'int32' ? 'int32' : tensor.dtype === 'bool' ? 'bool' : 'float32';
          const data = tensor.dataSync();
          const values = dtype === 'int32' ? Int32Array.from(data) : dtype === 'bool' ? Uint8Array.from(data) : Float32Array.from(data);
          results.set(outputNames[index] as string, { dtype, shape: [...tensor.shape], values });
        });
      });
      return results;
    },
    dispose() {
      model.dispose();
    },
  };
}
