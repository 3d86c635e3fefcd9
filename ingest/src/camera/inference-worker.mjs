// One onnxruntime session on its own thread. onnxruntime-node's `run` blocks the thread that calls it, so
// inference on the main thread would serialise every camera and stall the API; here each worker of the
// InferencePool runs one inference at a time and cameras share the workers. Plain JavaScript on purpose: it
// runs in a bare worker thread without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

const { file, threads } = workerData;

let session;
try {
  session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  parentPort.postMessage({ type: 'ready', inputNames: session.inputNames, outputNames: session.outputNames });
} catch (error) {
  parentPort.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

parentPort.on('message', async (request) => {
  if (request.type === 'close') {
    await session?.release();
    parentPort.close();
    return;
  }
  try {
    const startedMs = performance.now();
    const results = await session.run({ [request.inputName]: new ort.Tensor('float32', request.data, request.dims) });
    const inferenceMs = performance.now() - startedMs;
    const outputs = {};
    const transfer = [request.data.buffer];
    for (const [name, tensor] of Object.entries(results)) {
      // Copy out of onnxruntime's memory so the buffer can be moved to the caller without another copy there.
      const data = new Float32Array(tensor.data);
      outputs[name] = { data, dims: tensor.dims };
      transfer.push(data.buffer);
    }
    parentPort.postMessage({ type: 'result', id: request.id, outputs, inferenceMs, input: request.data }, transfer);
  } catch (error) {
    parentPort.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error), input: request.data }, [request.data.buffer]);
  }
});
